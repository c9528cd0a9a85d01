//! QR codes: encoding only (decoding, for wallet-side scanning, comes with the login flows).
//!
//! The error-correction level is chosen for the payload: the strongest level that keeps the
//! symbol at version 10 (57×57 modules) or smaller, so a short payload survives a smudged or
//! partly covered screen and a long one stays scannable; past that, level L for capacity.

use crate::error::CryptoError;
use qrcode::{Color, EcLevel, QrCode, Version};

/// Largest payload accepted: the binary capacity of a version 40-L symbol.
pub const MAX_QR_BYTES: usize = 2953;
/// Modules of quiet zone around the symbol (the standard asks for 4).
const QUIET: usize = 4;

/// An encoded symbol, ready to render.
pub struct Qr {
    code: QrCode,
    level: EcLevel,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrFormat {
    Svg,
    Png,
    Term,
}

impl Qr {
    pub fn encode(data: &[u8]) -> Result<Qr, CryptoError> {
        if data.is_empty() {
            return Err(CryptoError::QrEmpty);
        }
        if data.len() > MAX_QR_BYTES {
            return Err(CryptoError::QrTooLong(data.len(), MAX_QR_BYTES));
        }
        for level in [EcLevel::H, EcLevel::Q, EcLevel::M] {
            if let Ok(code) = QrCode::with_error_correction_level(data, level) {
                if matches!(code.version(), Version::Normal(v) if v <= 10) {
                    return Ok(Qr { code, level });
                }
            }
        }
        let code = QrCode::with_error_correction_level(data, EcLevel::L)
            .map_err(|_| CryptoError::QrTooLong(data.len(), MAX_QR_BYTES))?;
        Ok(Qr {
            code,
            level: EcLevel::L,
        })
    }

    /// `L`, `M`, `Q` or `H`.
    pub fn ec_level(&self) -> char {
        match self.level {
            EcLevel::L => 'L',
            EcLevel::M => 'M',
            EcLevel::Q => 'Q',
            EcLevel::H => 'H',
        }
    }

    /// Symbol version, 1 to 40.
    pub fn version(&self) -> i16 {
        match self.code.version() {
            Version::Normal(v) | Version::Micro(v) => v,
        }
    }

    /// Modules per side, without the quiet zone.
    pub fn modules(&self) -> usize {
        self.code.width()
    }

    /// Dark modules as booleans, row by row, quiet zone included.
    fn matrix(&self) -> (usize, Vec<bool>) {
        let w = self.code.width();
        let side = w + 2 * QUIET;
        let colors = self.code.to_colors();
        let mut m = vec![false; side * side];
        for y in 0..w {
            for x in 0..w {
                m[(y + QUIET) * side + x + QUIET] = colors[y * w + x] == Color::Dark;
            }
        }
        (side, m)
    }

    /// A standalone SVG: one path, crisp edges, `scale` pixels per module.
    pub fn svg(&self, scale: usize) -> String {
        let (side, m) = self.matrix();
        let px = side * scale.max(1);
        let mut path = String::new();
        for y in 0..side {
            let mut x = 0;
            while x < side {
                if m[y * side + x] {
                    let start = x;
                    while x < side && m[y * side + x] {
                        x += 1;
                    }
                    path.push_str(&format!("M{start} {y}h{}v1h-{}z", x - start, x - start));
                } else {
                    x += 1;
                }
            }
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{px}\" height=\"{px}\" \
viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\">\
<rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>\n"
        )
    }

    /// An 8-bit greyscale PNG, `scale` pixels per module.
    pub fn png(&self, scale: usize) -> Vec<u8> {
        let (side, m) = self.matrix();
        let scale = scale.max(1);
        let px = side * scale;
        let mut pixels = Vec::with_capacity(px * px);
        for y in 0..px {
            for x in 0..px {
                pixels.push(if m[(y / scale) * side + x / scale] {
                    0u8
                } else {
                    255u8
                });
            }
        }
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, px as u32, px as u32);
            enc.set_color(png::ColorType::Grayscale);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().expect("PNG header into memory");
            w.write_image_data(&pixels).expect("PNG data into memory");
        }
        out
    }

    /// UTF-8 half blocks, two module rows per text line, dark modules drawn as spaces on a
    /// light block so the symbol scans on dark and light terminal themes alike.
    pub fn term(&self) -> String {
        let (side, m) = self.matrix();
        let at = |x: usize, y: usize| y < side && m[y * side + x];
        let mut out = String::new();
        for y in (0..side).step_by(2) {
            for x in 0..side {
                out.push(match (at(x, y), at(x, y + 1)) {
                    (false, false) => '█',
                    (false, true) => '▀',
                    (true, false) => '▄',
                    (true, true) => ' ',
                });
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a PNG we made with an independent decoder (rqrr).
    fn decode_png(png_bytes: &[u8]) -> String {
        let dec = png::Decoder::new(std::io::Cursor::new(png_bytes));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        let (w, h) = (info.width as usize, info.height as usize);
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1, "one symbol");
        grids[0].decode().unwrap().1
    }

    #[test]
    fn png_decodes_back_to_the_payload() {
        for text in [
            "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n",
            &"x".repeat(1000),
        ] {
            let qr = Qr::encode(text.as_bytes()).unwrap();
            assert_eq!(decode_png(&qr.png(4)), text);
        }
    }

    #[test]
    fn level_is_chosen_for_the_payload() {
        let short = Qr::encode(b"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23").unwrap();
        assert_eq!(short.ec_level(), 'H');
        assert!(short.version() <= 10);
        let long = Qr::encode("y".repeat(2000).as_bytes()).unwrap();
        assert_eq!(long.ec_level(), 'L');
        let mid = Qr::encode("z".repeat(200).as_bytes()).unwrap();
        assert!(matches!(mid.ec_level(), 'Q' | 'M'), "{}", mid.ec_level());
        assert!(mid.version() <= 10);
    }

    #[test]
    fn limits_have_codes() {
        use crate::Coded;
        assert_eq!(Qr::encode(b"").err().unwrap().code(), "qr.empty");
        let e = Qr::encode(&vec![b'a'; MAX_QR_BYTES + 1]).err().unwrap();
        assert_eq!(e.code(), "qr.too_long");
        assert!(Qr::encode(&vec![b'a'; MAX_QR_BYTES]).is_ok());
    }

    #[test]
    fn svg_and_term_have_the_symbol_geometry() {
        let qr = Qr::encode(b"hello").unwrap();
        let side = qr.modules() + 2 * QUIET;
        let svg = qr.svg(8);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
        let term = qr.term();
        assert_eq!(term.lines().count(), side.div_ceil(2));
        assert!(term.lines().all(|l| l.chars().count() == side));
        // The quiet zone is light: the first line is all full blocks.
        assert!(term.lines().next().unwrap().chars().all(|c| c == '█'));
    }
}
