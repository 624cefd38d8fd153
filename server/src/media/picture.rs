//! The server's own copy of an uploaded image: decoded within limits (a small file that
//! claims a huge picture is refused before anything that size is allocated), turned upright,
//! scaled to at most [`MAX_SIDE_PX`] on its long side and encoded anew, so no metadata of the
//! original (EXIF, GPS, comments) survives. JPEG stays JPEG; PNG, WebP and GIF become PNG (an
//! animated GIF keeps its first frame).

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The longest side of a stored image: sharp on a projector, light on a phone.
pub const MAX_SIDE_PX: u32 = 1920;
/// The largest picture decoded, per side and in bytes held while decoding (a 40-megapixel
/// photo fits).
const MAX_DECODE_SIDE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;

#[derive(Debug, Clone)]
pub struct Picture {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PictureError {
    #[error("this image could not be read: {0}")]
    Undecodable(String),
    #[error("this image is too large to process (at most {MAX_DECODE_SIDE} pixels a side)")]
    TooLarge,
}

impl From<image::ImageError> for PictureError {
    fn from(e: image::ImageError) -> Self {
        match e {
            image::ImageError::Limits(_) => PictureError::TooLarge,
            e => PictureError::Undecodable(e.to_string()),
        }
    }
}

/// `bytes`, which [`super::sniff`] found to be `format`, as the server stores it.
pub fn reencode(bytes: &[u8], format: ImageFormat) -> Result<Picture, PictureError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODE_SIDE);
    limits.max_image_height = Some(MAX_DECODE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut img = DynamicImage::from_decoder(decoder)?;
    img.apply_orientation(orientation);
    if img.width().max(img.height()) > MAX_SIDE_PX {
        img = img.resize(MAX_SIDE_PX, MAX_SIDE_PX, FilterType::Triangle);
    }
    let mut out = Vec::new();
    let mime = if format == ImageFormat::Jpeg {
        let rgb = img.to_rgb8();
        JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).encode_image(&rgb)?;
        "image/jpeg"
    } else {
        img.write_to(&mut Cursor::new(&mut out), ImageFormat::Png)?;
        "image/png"
    };
    Ok(Picture {
        bytes: out,
        mime,
        width: img.width(),
        height: img.height(),
    })
}

/// Images the tests of this module, the store and the socket tests build.
#[cfg(any(test, feature = "media-samples"))]
pub mod samples {
    use image::{ImageFormat, Rgb, RgbImage};
    use std::io::Cursor;

    pub fn encoded(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
        let img = RgbImage::from_fn(w, h, |x, y| Rgb([x as u8, y as u8, 128]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format)
            .expect("encode");
        out
    }

    /// A JPEG with an APP1 Exif segment that names GPS, right after SOI.
    pub fn jpeg_with_gps() -> Vec<u8> {
        let jpeg = encoded(8, 8, ImageFormat::Jpeg);
        let payload = b"Exif\0\0MM\0\x2a\0\0\0\x08GPSLatitude 48.8566 N";
        let len = (payload.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xff, 0xe1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// A valid PNG header claiming `w`×`h` grey pixels, then a few KB of zlib zeros.
    pub fn png_bomb(w: u32, h: u32) -> Vec<u8> {
        fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
            out.extend_from_slice(&(data.len() as u32).to_be_bytes());
            out.extend_from_slice(kind);
            out.extend_from_slice(data);
            let mut crc = crc32(kind);
            crc = crc32_more(crc, data);
            out.extend_from_slice(&(!crc).to_be_bytes());
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&w.to_be_bytes());
        ihdr.extend_from_slice(&h.to_be_bytes());
        ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
        chunk(&mut png, b"IHDR", &ihdr);
        // A zlib stream of stored (uncompressed) zero blocks: valid, tiny, never ending the image.
        let mut z = vec![0x78, 0x01];
        for _ in 0..4 {
            z.extend_from_slice(&[0x00, 0x00, 0x04, 0xff, 0xfb]);
            z.extend_from_slice(&[0u8; 1024]);
        }
        chunk(&mut png, b"IDAT", &z);
        chunk(&mut png, b"IEND", &[]);
        png
    }

    fn crc32(data: &[u8]) -> u32 {
        crc32_more(0xffff_ffff, data)
    }

    fn crc32_more(mut crc: u32, data: &[u8]) -> u32 {
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        crc
    }
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_jpeg_stays_jpeg_and_loses_its_gps_exif() {
        let upload = jpeg_with_gps();
        assert!(contains(&upload, b"Exif") && contains(&upload, b"GPS"));
        let p = reencode(&upload, ImageFormat::Jpeg).expect("jpeg");
        assert_eq!((p.mime, p.width, p.height), ("image/jpeg", 8, 8));
        assert!(!contains(&p.bytes, b"Exif") && !contains(&p.bytes, b"GPS"));
        assert_eq!(image::guess_format(&p.bytes).ok(), Some(ImageFormat::Jpeg));
    }

    #[test]
    fn a_large_image_is_scaled_to_the_long_side_limit_keeping_its_shape() {
        let p = reencode(&encoded(2400, 600, ImageFormat::Png), ImageFormat::Png).expect("png");
        assert_eq!((p.mime, p.width, p.height), ("image/png", MAX_SIDE_PX, 480));
    }

    #[test]
    fn gif_and_webp_become_png() {
        for format in [ImageFormat::Gif, ImageFormat::WebP] {
            let p = reencode(&encoded(4, 3, format), format).expect("image");
            assert_eq!(
                (p.mime, p.width, p.height),
                ("image/png", 4, 3),
                "{format:?}"
            );
        }
    }

    #[test]
    fn a_png_claiming_a_huge_picture_is_refused_before_decoding() {
        let bomb = png_bomb(50_000, 50_000);
        assert!(bomb.len() < 8 * 1024);
        assert_eq!(
            reencode(&bomb, ImageFormat::Png).unwrap_err(),
            PictureError::TooLarge
        );
    }

    #[test]
    fn a_png_whose_pixels_run_out_is_undecodable() {
        assert!(matches!(
            reencode(&png_bomb(3000, 3000), ImageFormat::Png),
            Err(PictureError::Undecodable(_))
        ));
        assert!(matches!(
            reencode(b"\x89PNG\r\n\x1a\ngarbage", ImageFormat::Png),
            Err(PictureError::Undecodable(_))
        ));
    }
}
