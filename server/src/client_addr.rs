//! Who is asking, by network address: the peer of the TCP connection, or, behind reverse proxies
//! the operator has named, the address the nearest untrusted hop was seen at.
//!
//! `X-Forwarded-For` is a list each proxy appends to: `client, proxy1, proxy2`, with the last
//! proxy being the TCP peer. Everything left of what a trusted proxy appended was written by the
//! client and can say anything, so the list is read from the right: skip the proxies that are
//! ours and take the first address that is not. With no proxy configured the header is ignored.

use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// The reverse proxies in front of the service (`server.trusted_proxies`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TrustedProxies {
    /// How many proxies stand in front of the service (0: none, the header is ignored). The
    /// client is the address the outermost one saw.
    Hops(u8),
    /// The networks the proxies' addresses are in (`["10.0.0.0/8", "127.0.0.1/32"]`): any
    /// number of them, in any order.
    Networks(Vec<IpNet>),
}

impl Default for TrustedProxies {
    fn default() -> Self {
        Self::Hops(0)
    }
}

impl TrustedProxies {
    /// Whether any proxy is trusted at all.
    pub fn any(&self) -> bool {
        match self {
            Self::Hops(n) => *n > 0,
            Self::Networks(nets) => !nets.is_empty(),
        }
    }

    /// The client's address, from the connection's `peer` and every `X-Forwarded-For` value in
    /// the order received. An entry that is not an address stops the walk: nothing left of it
    /// can be trusted, so the hop that passed it on is taken.
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl IntoIterator<Item = &'a str>) -> IpAddr {
        if !self.any() {
            return peer;
        }
        let entries: Vec<&str> =
            forwarded_for.into_iter().flat_map(|v| v.split(',')).map(str::trim).filter(|s| !s.is_empty()).collect();
        // From the right: the peer, then what each proxy appended.
        let mut chain = std::iter::once(Some(peer)).chain(entries.iter().rev().map(|s| parse_addr(s)));
        let mut last = peer;
        match self {
            Self::Hops(n) => {
                // The peer and the next n - 1 entries are our proxies; the entry after is the client.
                for _ in 0..=*n {
                    match chain.next() {
                        Some(Some(addr)) => last = addr,
                        // A garbled entry or a short list: the last good hop is all we know.
                        _ => return last,
                    }
                }
                last
            }
            Self::Networks(nets) => {
                for hop in chain {
                    let Some(addr) = hop else { return last };
                    last = addr;
                    if !nets.iter().any(|n| n.contains(&addr)) {
                        return addr;
                    }
                }
                last
            }
        }
    }
}

/// An address as proxies write it: `203.0.113.9`, `2001:db8::1`, `[2001:db8::1]:443` or
/// `203.0.113.9:443`. IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
fn parse_addr(s: &str) -> Option<IpAddr> {
    let addr = s.parse::<IpAddr>().ok().or_else(|| s.parse::<std::net::SocketAddr>().ok().map(|sa| sa.ip()))?;
    Some(addr.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const PROXY: &str = "10.0.0.5";

    #[test]
    fn with_no_proxy_configured_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip(PROXY), ["203.0.113.9"]), ip(PROXY));
        assert_eq!(TrustedProxies::Networks(vec![]).client(ip(PROXY), ["203.0.113.9"]), ip(PROXY));
    }

    #[test]
    fn behind_one_hop_the_client_is_what_the_proxy_appended_whatever_the_client_wrote() {
        let one = TrustedProxies::Hops(1);
        assert_eq!(one.client(ip(PROXY), ["198.51.100.7"]), ip("198.51.100.7"));
        // A forged entry on the left is the client's own writing: never taken.
        assert_eq!(one.client(ip(PROXY), ["203.0.113.9, 198.51.100.7"]), ip("198.51.100.7"));
        assert_eq!(one.client(ip(PROXY), ["203.0.113.9", "198.51.100.7"]), ip("198.51.100.7"));
        // Two proxies: the outer one's view is second from the right.
        assert_eq!(TrustedProxies::Hops(2).client(ip(PROXY), ["1.1.1.1, 198.51.100.7, 10.0.0.9"]), ip("198.51.100.7"));
        // A request that reached us without passing the proxy has no header: the peer it is.
        assert_eq!(one.client(ip("198.51.100.7"), []), ip("198.51.100.7"));
    }

    #[test]
    fn trusted_networks_are_skipped_from_the_right_and_the_first_other_address_is_the_client() {
        let nets = TrustedProxies::Networks(vec!["10.0.0.0/8".parse().unwrap(), "127.0.0.1/32".parse().unwrap()]);
        assert_eq!(nets.client(ip(PROXY), ["203.0.113.9, 198.51.100.7, 10.1.2.3"]), ip("198.51.100.7"));
        // A peer that is not one of our proxies is the client, whatever its header says.
        assert_eq!(nets.client(ip("198.51.100.7"), ["10.1.2.3"]), ip("198.51.100.7"));
        // Forging a trusted address on the left does not help: the walk stops before it.
        assert_eq!(nets.client(ip(PROXY), ["10.9.9.9, 198.51.100.7"]), ip("198.51.100.7"));
        // All trusted: the leftmost proxy is as far as we can see.
        assert_eq!(nets.client(ip(PROXY), ["10.1.2.3"]), ip("10.1.2.3"));
    }

    #[test]
    fn garbage_stops_the_walk_at_the_last_hop_that_was_ours() {
        let nets = TrustedProxies::Networks(vec!["10.0.0.0/8".parse().unwrap()]);
        assert_eq!(nets.client(ip(PROXY), ["198.51.100.7, not-an-address"]), ip(PROXY));
        assert_eq!(TrustedProxies::Hops(1).client(ip(PROXY), ["unknown"]), ip(PROXY));
    }

    #[test]
    fn ports_brackets_and_mapped_addresses_are_read() {
        let one = TrustedProxies::Hops(1);
        assert_eq!(one.client(ip(PROXY), ["198.51.100.7:4431"]), ip("198.51.100.7"));
        assert_eq!(one.client(ip(PROXY), ["[2001:db8::1]:443"]), ip("2001:db8::1"));
        assert_eq!(one.client(ip(PROXY), ["::ffff:198.51.100.7"]), ip("198.51.100.7"));
    }

    #[test]
    fn configured_as_a_count_or_a_list_of_networks() {
        #[derive(Deserialize)]
        struct S {
            p: TrustedProxies,
        }
        let hops: S = serde_json::from_str(r#"{"p": 2}"#).unwrap();
        assert_eq!(hops.p, TrustedProxies::Hops(2));
        let nets: S = serde_json::from_str(r#"{"p": ["10.0.0.0/8", "192.0.2.1/32"]}"#).unwrap();
        assert!(matches!(nets.p, TrustedProxies::Networks(ref n) if n.len() == 2));
        assert!(serde_json::from_str::<S>(r#"{"p": ["not a network"]}"#).is_err());
    }
}
