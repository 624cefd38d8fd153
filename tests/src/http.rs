//! The HTTP calls bots need. Blocking `ureq` on the blocking pool: tests make few requests.

use anyhow::{bail, Context, Result};
use serde_json::Value;

#[derive(Clone)]
pub struct Http {
    base: String,
    agent: ureq::Agent,
    /// Headers every request carries (`X-Forwarded-For` to stand for another client).
    headers: Vec<(String, String)>,
}

/// A response: status, `Content-Type`, `Content-Disposition` (or "") and body text.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub disposition: String,
    /// The body as text (invalid UTF-8 replaced); `bytes` holds it as sent.
    pub body: String,
    pub bytes: Vec<u8>,
    /// Every response header, names in lowercase.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.body).with_context(|| format!("not JSON: {}", self.body))
    }

    /// Panics unless this is the refusal described: status, `error.code`, a message, and
    /// `error.field` when `field` is given. `what` names the request in the panic.
    pub fn assert_refused(&self, status: u16, code: &str, field: Option<&str>, what: &str) {
        assert_eq!(
            (self.status, self.code().as_str()),
            (status, code),
            "{what}: {}",
            self.body
        );
        let err = &self.json().unwrap_or_default()["error"];
        assert!(
            err["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: {err}"
        );
        if let Some(field) = field {
            assert_eq!(err["field"], field, "{what}: {err}");
        }
    }

    /// The value of response header `name` (lowercase), or "".
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// `error.code` of a JSON error reply, or "" when there is none.
    pub fn code(&self) -> String {
        self.json()
            .ok()
            .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// What a request sends: nothing, JSON, or text with its content type.
pub enum Body {
    None,
    Json(Value),
    Text(&'static str, String),
    /// Raw bytes with their content type (an upload).
    Bytes(&'static str, Vec<u8>),
}

impl Http {
    pub fn new(base: String) -> Http {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Http {
            base,
            agent,
            headers: Vec::new(),
        }
    }

    /// The same client, sending `name: value` with every request.
    pub fn with_header(&self, name: &str, value: &str) -> Http {
        let mut http = self.clone();
        http.headers.push((name.to_owned(), value.to_owned()));
        http
    }

    /// Any request; `body` is sent as JSON when given.
    pub async fn request(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Reply> {
        self.send(method, path, token, body.map_or(Body::None, Body::Json))
            .await
    }

    /// Any method with any body.
    pub async fn send(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Body,
    ) -> Result<Reply> {
        let url = format!("{}{}", self.base, path);
        let agent = self.agent.clone();
        let auth = token.map(|t| format!("Bearer {t}"));
        let headers = self.headers.clone();
        tokio::task::spawn_blocking(move || -> Result<Reply> {
            let mut req = ureq::http::Request::builder().method(method).uri(&url);
            for (name, value) in &headers {
                req = req.header(name, value);
            }
            if let Some(a) = &auth {
                req = req.header("Authorization", a);
            }
            let mut response = match body {
                Body::None => agent.run(req.body(())?)?,
                Body::Json(v) => agent.run(
                    req.header("Content-Type", "application/json")
                        .body(serde_json::to_vec(&v)?)?,
                )?,
                Body::Text(ct, text) => agent.run(req.header("Content-Type", ct).body(text)?)?,
                Body::Bytes(ct, bytes) => agent.run(req.header("Content-Type", ct).body(bytes)?)?,
            };
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let disposition = response
                .headers()
                .get("content-disposition")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let all = response
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
                .collect();
            let bytes = response.body_mut().read_to_vec()?;
            Ok(Reply {
                status,
                content_type,
                disposition,
                body: String::from_utf8_lossy(&bytes).into_owned(),
                bytes,
                headers: all,
            })
        })
        .await?
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Result<Reply> {
        self.request("GET", path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Result<Reply> {
        self.request("POST", path, token, Some(body)).await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Result<Reply> {
        self.request("PUT", path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Result<Reply> {
        self.request("PATCH", path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Result<Reply> {
        self.request("DELETE", path, token, None).await
    }

    /// Logs in and returns the bearer token.
    pub async fn login(&self, username: &str, password: &str) -> Result<String> {
        let r = self
            .post(
                "/api/login",
                None,
                serde_json::json!({"username": username, "password": password}),
            )
            .await?;
        if r.status != 200 {
            bail!("login failed: {} {}", r.status, r.body);
        }
        Ok(r.json()?["token"]
            .as_str()
            .context("no token in login reply")?
            .to_owned())
    }

    /// Creates an account as `admin` (`POST /api/admin/accounts`) and returns its id.
    pub async fn create_account(
        &self,
        admin: &str,
        username: &str,
        password: &str,
        role: &str,
    ) -> Result<i64> {
        let body = serde_json::json!({"username": username, "password": password, "role": role});
        let r = self.post("/api/admin/accounts", Some(admin), body).await?;
        if r.status != 201 {
            bail!("account refused: {} {}", r.status, r.body);
        }
        r.json()?["id"].as_i64().context("no id in reply")
    }

    /// Stores a quiz document and returns its id.
    pub async fn create_quiz(&self, token: &str, quiz: &Value) -> Result<i64> {
        let r = self.post("/api/quizzes", Some(token), quiz.clone()).await?;
        if r.status != 201 && r.status != 200 {
            bail!("quiz refused: {} {}", r.status, r.body);
        }
        r.json()?["id"].as_i64().context("no id in reply")
    }

    /// `GET /api/games/{id}` as JSON.
    pub async fn game(&self, token: &str, game_id: i64) -> Result<Value> {
        let r = self
            .get(&format!("/api/games/{game_id}"), Some(token))
            .await?;
        if r.status != 200 {
            bail!("game report refused: {} {}", r.status, r.body);
        }
        r.json()
    }
}
