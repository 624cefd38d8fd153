//! Who the client is: the TCP peer, or, when the peer is a reverse proxy named with
//! `--trusted-proxy`, the address that proxy forwarded in `X-Forwarded-For`.
//!
//! The login and join-failure throttles key on this address. The connection caps do not: they
//! are decided when a socket is accepted, before any header is read, so they count TCP peers
//! (behind a proxy on the same host that is one address, which loopback's exemption covers).

use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// A trusted proxy: one address (`10.0.0.2`, `::1`) or a network (`10.0.0.0/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet {
    addr: IpAddr,
    prefix: u8,
}

impl FromStr for ProxyNet {
    type Err = String;

    fn from_str(s: &str) -> Result<ProxyNet, String> {
        let s = s.trim();
        let (ip, prefix) = s.split_once('/').unwrap_or((s, ""));
        let addr: IpAddr = ip.parse().map_err(|_| {
            format!("`{s}` is not an IP address or network (10.0.0.2, ::1, 10.0.0.0/8)")
        })?;
        let addr = addr.to_canonical();
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            bits
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("`{s}`: the prefix length is 0 to {bits}"))?
        };
        Ok(ProxyNet { addr, prefix })
    }
}

impl ProxyNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let keep = |bits: u32, width: u32| -> u128 {
            if bits == 0 {
                0
            } else {
                u128::MAX << (width - bits)
            }
        };
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = keep(self.prefix.into(), 32);
                (u128::from(u32::from(net)) & mask) == (u128::from(u32::from(ip)) & mask)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = keep(self.prefix.into(), 128);
                (u128::from(net) & mask) == (u128::from(ip) & mask)
            }
            _ => false,
        }
    }
}

/// The client's address as the per-address limits see it, set on every request by the
/// accept loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

/// The client behind `peer`. Only a trusted peer's `X-Forwarded-For` is read: each proxy
/// appends the address it was connected from, so the list is read from the right, skipping
/// our own proxies, and the first other entry is the client. Entries further left were
/// written by the client itself and prove nothing.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &[ProxyNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let lines = headers.get_all("x-forwarded-for").iter().rev();
    for line in lines {
        let Ok(line) = line.to_str() else {
            return client;
        };
        for entry in line.rsplit(',') {
            let Some(ip) = parse_entry(entry) else {
                // Not an address: the nearest trusted hop is all that is known.
                return client;
            };
            client = ip;
            if !is_trusted(ip) {
                return ip;
            }
        }
    }
    client
}

/// `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:80`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().expect("header"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn a_network_contains_its_addresses_and_no_other() {
        let net: ProxyNet = "10.1.0.0/16".parse().expect("net");
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(!net.contains(ip("::1")));
        let one: ProxyNet = "127.0.0.1".parse().expect("one");
        assert!(
            one.contains(ip("::ffff:127.0.0.1")),
            "a v4-mapped peer is the v4 address"
        );
        assert!(!one.contains(ip("127.0.0.2")));
        let v6: ProxyNet = "fd00::/8".parse().expect("v6");
        assert!(v6.contains(ip("fd12::1")));
        assert!("0.0.0.0/0"
            .parse::<ProxyNet>()
            .expect("all")
            .contains(ip("8.8.8.8")));
        for bad in ["", "proxy.local", "10.0.0.0/33", "::1/129", "10.0.0.0/x"] {
            assert!(bad.parse::<ProxyNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_peer_and_from_the_right() {
        let trusted: Vec<ProxyNet> = vec![
            "127.0.0.1".parse().expect("p"),
            "10.0.0.0/8".parse().expect("n"),
        ];
        let peer = ip("127.0.0.1");
        // Not a trusted peer: the header is the client's own claim.
        assert_eq!(
            client_addr(ip("203.0.113.9"), &xff(&["198.51.100.1"]), &trusted),
            ip("203.0.113.9")
        );
        // The right-most entry that is not one of ours; what the client wrote left of it is ignored.
        assert_eq!(
            client_addr(peer, &xff(&["1.1.1.1, 198.51.100.7, 10.0.0.5"]), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_addr(peer, &xff(&["1.1.1.1", "198.51.100.7:4431"]), &trusted),
            ip("198.51.100.7")
        );
        // No header, or only our proxies in it: the nearest trusted hop.
        assert_eq!(client_addr(peer, &HeaderMap::new(), &trusted), peer);
        assert_eq!(
            client_addr(peer, &xff(&["10.0.0.5"]), &trusted),
            ip("10.0.0.5")
        );
        assert_eq!(client_addr(peer, &xff(&["garbage"]), &trusted), peer);
        assert_eq!(
            client_addr(peer, &xff(&["[2001:db8::1]:80"]), &trusted),
            ip("2001:db8::1")
        );
    }
}
