//! The HTTP calls bots need. Blocking `ureq` on the blocking pool: tests make few requests.

use anyhow::{bail, Context, Result};
use serde_json::Value;

#[derive(Clone)]
pub struct Http {
    base: String,
    agent: ureq::Agent,
}

/// A response: status and body text.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.body).with_context(|| format!("not JSON: {}", self.body))
    }
}

impl Http {
    pub fn new(base: String) -> Http {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Http { base, agent }
    }

    /// Any request; `body` is sent as JSON when given.
    pub async fn request(
        &self,
        method: &'static str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Reply> {
        let url = format!("{}{}", self.base, path);
        let agent = self.agent.clone();
        let auth = token.map(|t| format!("Bearer {t}"));
        tokio::task::spawn_blocking(move || -> Result<Reply> {
            let mut response = match (method, body) {
                ("GET", _) => {
                    let mut req = agent.get(&url);
                    if let Some(a) = &auth {
                        req = req.header("Authorization", a);
                    }
                    req.call()?
                }
                (_, body) => {
                    let mut req = agent.post(&url);
                    if let Some(a) = &auth {
                        req = req.header("Authorization", a);
                    }
                    req.send_json(body.unwrap_or(Value::Null))?
                }
            };
            let status = response.status().as_u16();
            let body = response.body_mut().read_to_string()?;
            Ok(Reply { status, body })
        })
        .await?
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Result<Reply> {
        self.request("GET", path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Result<Reply> {
        self.request("POST", path, token, Some(body)).await
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
