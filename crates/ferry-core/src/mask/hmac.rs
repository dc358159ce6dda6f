//! HMAC-SHA256 (RFC 2104) over the `sha2` the engine already hashes rows with: the keyed hash
//! every mask draws from. Eleven lines of padding and two hashes; the `hmac` crate in the
//! lock file is built for another `digest` major version than our `sha2`, so it would bring
//! a second SHA-256 into the engine for the same result. Checked against RFC 4231.

use sha2::{Digest, Sha256};

/// A key, padded and hashed once: each MAC then clones the two prepared states.
#[derive(Clone)]
pub(crate) struct Hmac {
    inner: Sha256,
    outer: Sha256,
}

impl Hmac {
    pub(crate) fn new(key: &[u8]) -> Hmac {
        let mut k = [0u8; 64];
        if key.len() > 64 {
            k[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            k[..key.len()].copy_from_slice(key);
        }
        let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
        let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
        let mut inner = Sha256::new();
        inner.update(&ipad);
        let mut outer = Sha256::new();
        outer.update(&opad);
        Hmac { inner, outer }
    }

    /// The MAC of the parts, one after the other (as if joined).
    pub(crate) fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut i = self.inner.clone();
        for p in parts {
            i.update(p);
        }
        let mut o = self.outer.clone();
        o.update(i.finalize());
        o.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::Hmac;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn rfc_4231_vectors() {
        let cases: &[(Vec<u8>, &[u8], &str)] = &[
            (vec![0x0b; 20], b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (b"Jefe".to_vec(), b"what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            (vec![0xaa; 20], &[0xdd; 50], "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            (vec![0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ];
        for (key, data, want) in cases {
            assert_eq!(hex(&Hmac::new(key).mac(&[data])), *want, "key of {} bytes", key.len());
            // Split anywhere, the same MAC.
            let (a, b) = data.split_at(data.len() / 2);
            assert_eq!(hex(&Hmac::new(key).mac(&[a, b])), *want);
        }
    }
}
