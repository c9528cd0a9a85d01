//! Images in, codes out. The picture's header is read first and anything too large is refused
//! before a pixel is allocated (a 60000×60000 PNG of a few bytes is a decompression bomb); then
//! it is decoded to grey and every QR code in it is found. The decoder is `rqrr` for now; the
//! benchmark of issue 16 decides which decoders (zxing-cpp, rxing) and fallbacks join it.

use image::{ImageReader, Limits};
use keyward_core::Coded;
use serde::Serialize;
use std::io::Cursor;

use crate::payload::{classify, Payload};

/// Files larger than this are refused unread.
pub const MAX_FILE_BYTES: usize = 32 << 20;
/// The longest side read (a row of three 5K monitors fits).
pub const MAX_SIDE: u32 = 16_384;
/// The most pixels read (about 64 megapixels: 11520×2160 is 25).
pub const MAX_PIXELS: u64 = 64 << 20;

/// Why nothing could be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("not an image Keyward reads: {0}")]
    NotAnImage(String),
    #[error("the image is too large: {0}")]
    TooLarge(String),
    #[error("no QR code was found in the image")]
    NoneFound,
    #[error("{0} QR code(s) found, none readable")]
    Unreadable(usize),
}

impl Coded for ReadError {
    fn code(&self) -> &str {
        match self {
            ReadError::NotAnImage(_) => "qr.not_an_image",
            ReadError::TooLarge(_) => "qr.image_too_large",
            ReadError::NoneFound => "qr.none_found",
            ReadError::Unreadable(_) => "qr.unreadable",
        }
    }

    fn hint(&self) -> String {
        match self {
            ReadError::NotAnImage(_) => "Give a PNG, JPEG, WebP, GIF or BMP file.".into(),
            ReadError::TooLarge(_) => format!(
                "Crop the image to the code: at most {MAX_SIDE} pixels a side, {} megapixels, {} MiB.",
                MAX_PIXELS >> 20,
                MAX_FILE_BYTES >> 20
            ),
            ReadError::NoneFound => {
                "Make sure the whole code is in the image, not too small and not cut off.".into()
            }
            ReadError::Unreadable(_) => "Try a sharper or larger image of the code.".into(),
        }
    }
}

/// A picture in shades of grey, one byte a pixel, row by row.
pub struct Luma {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

/// One QR code found: its content, where it is and its symbol facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Code {
    /// The content as text, when it is UTF-8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The content's bytes, as hex when it is not text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// Its corners in the image, top-left, top-right, bottom-right, bottom-left.
    pub corners: [(i32, i32); 4],
    /// The symbol's version (1 to 40).
    pub version: u32,
    /// Its error-correction level (`L`, `M`, `Q`, `H`).
    pub ec_level: char,
    /// What it holds.
    pub payload: Payload,
}

/// Reads the picture in `bytes` to grey, refusing what is too large from its header.
pub fn load(bytes: &[u8]) -> Result<Luma, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::NotAnImage("the file is empty".into()));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(format!(
            "{} MiB (at most {})",
            bytes.len() >> 20,
            MAX_FILE_BYTES >> 20
        )));
    }
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| ReadError::NotAnImage(e.to_string()))
    };
    if reader()?.format().is_none() {
        return Err(ReadError::NotAnImage(
            "not a PNG, JPEG, WebP, GIF or BMP file".into(),
        ));
    }
    let (w, h) = reader()?
        .into_dimensions()
        .map_err(|e| ReadError::NotAnImage(e.to_string()))?;
    if w == 0 || h == 0 {
        return Err(ReadError::NotAnImage("the image has no pixels".into()));
    }
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(ReadError::TooLarge(format!("{w}×{h} pixels")));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // Room for the decoded picture in its widest layout (16-bit RGBA) and the grey copy.
    limits.max_alloc = Some(u64::from(w) * u64::from(h) * 9);
    let mut r = reader()?;
    r.limits(limits);
    let img = r.decode().map_err(|e| match e {
        image::ImageError::Limits(l) => ReadError::TooLarge(l.to_string()),
        other => ReadError::NotAnImage(other.to_string()),
    })?;
    let grey = img.into_luma8();
    Ok(Luma {
        width: w,
        height: h,
        pixels: grey.into_raw(),
    })
}

/// Every QR code in `luma`, and how many were found but could not be read.
pub fn decode(luma: &Luma) -> (Vec<Code>, usize) {
    let (w, h) = (luma.width as usize, luma.height as usize);
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma.pixels[y * w + x]);
    let mut codes = Vec::new();
    let mut unreadable = 0;
    for grid in prepared.detect_grids() {
        let mut bytes = Vec::new();
        let Ok(meta) = grid.decode_to(&mut bytes) else {
            unreadable += 1;
            continue;
        };
        let corner = |i: usize| (grid.bounds[i].x, grid.bounds[i].y);
        let text = String::from_utf8(bytes.clone()).ok();
        codes.push(Code {
            hex: text.is_none().then(|| hex_of(&bytes)),
            text,
            corners: [corner(0), corner(1), corner(2), corner(3)],
            version: meta.version.0 as u32,
            // The format field's two bits (ISO/IEC 18004 table 12): 01 L, 00 M, 11 Q, 10 H.
            ec_level: match meta.ecc_level {
                0 => 'M',
                1 => 'L',
                2 => 'H',
                _ => 'Q',
            },
            payload: classify(&bytes),
        });
    }
    (codes, unreadable)
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every QR code in the picture `bytes`; an error when none could be read.
pub fn read(bytes: &[u8]) -> Result<Vec<Code>, ReadError> {
    let luma = load(bytes)?;
    match decode(&luma) {
        (codes, _) if !codes.is_empty() => Ok(codes),
        (_, 0) => Err(ReadError::NoneFound),
        (_, n) => Err(ReadError::Unreadable(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_crypto::qr::Qr;

    fn png(data: &[u8], scale: usize) -> (Vec<u8>, Qr) {
        let qr = Qr::encode(data).unwrap();
        (qr.png(scale), qr)
    }

    /// A PNG whose header claims `w`×`h` pixels, with a few bytes of image data after it.
    fn png_header(w: u32, h: u32) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            let mut body = kind.to_vec();
            body.extend_from_slice(data);
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(&body);
            out.extend_from_slice(&crc32(&body).to_be_bytes());
        };
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, no interlace
        chunk(b"IHDR", &ihdr);
        // A zlib stream of one empty stored block: the data ends long before the image does.
        chunk(
            b"IDAT",
            &[
                0x78, 0x01, 0x01, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
            ],
        );
        chunk(b"IEND", &[]);
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for &b in data {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }

    #[test]
    fn keywards_own_codes_read_back_with_their_facts_and_kind() {
        let address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        let (file, qr) = png(address.as_bytes(), 6);
        let codes = read(&file).unwrap();
        assert_eq!(codes.len(), 1);
        let c = &codes[0];
        assert_eq!(c.text.as_deref(), Some(address));
        assert_eq!(c.version, qr.version() as u32);
        assert_eq!(c.ec_level, qr.ec_level());
        assert_eq!(c.payload.kind(), "text");
        let (tl, br) = (c.corners[0], c.corners[2]);
        assert!(tl.0 < br.0 && tl.1 < br.1, "{:?}", c.corners);

        let (file, _) = png(
            b"ethereum:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266@1?value=1e16",
            4,
        );
        assert_eq!(read(&file).unwrap()[0].payload.kind(), "ethereum");
    }

    #[test]
    fn bad_input_is_a_clear_error() {
        assert!(matches!(read(b""), Err(ReadError::NotAnImage(_))));
        assert!(matches!(
            read(b"just some text, not a picture"),
            Err(ReadError::NotAnImage(_))
        ));
        let (file, _) = png(b"hello", 4);
        assert!(matches!(
            read(&file[..file.len() / 2]),
            Err(ReadError::NotAnImage(_))
        ));
        // A decompression bomb is refused from its header, before any allocation.
        assert!(matches!(
            read(&png_header(60_000, 60_000)),
            Err(ReadError::TooLarge(_))
        ));
        assert!(matches!(
            read(&png_header(16_000, 16_000)),
            Err(ReadError::TooLarge(_))
        ));
        assert!(matches!(
            read(&vec![0u8; MAX_FILE_BYTES + 1]),
            Err(ReadError::TooLarge(_))
        ));
        assert_eq!(
            read(&png_header(0, 10)).unwrap_err().code(),
            "qr.not_an_image"
        );
    }

    #[test]
    fn a_picture_without_a_code_says_so() {
        let blank = image::GrayImage::from_pixel(200, 120, image::Luma([255u8]));
        let mut file = Vec::new();
        blank
            .write_to(&mut Cursor::new(&mut file), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(read(&file), Err(ReadError::NoneFound));
        assert_eq!(ReadError::NoneFound.code(), "qr.none_found");
    }
}
