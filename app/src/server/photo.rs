//! Staff photos for the passport: proven to be a real JPEG or PNG by decoding every pixel,
//! turned upright by their EXIF orientation, scaled down if very large, and re-encoded from the
//! pixels alone, so no metadata (location, camera, comments) survives. The digest of the cleaned
//! image is what a passport discloses.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// The largest photo accepted, and the largest a cleaned photo may be: "under 500 KB".
pub const MAX_PHOTO_BYTES: usize = 500_000;
/// The longest side kept; larger photos are scaled down (a passport photo needs no more).
pub const MAX_SIDE: u32 = 1200;
/// The shortest side accepted: smaller than this, a face cannot be recognised.
pub const MIN_SIDE: u32 = 100;
/// The largest image decoded at all (pixels on a side): beyond it, a file is refused unread.
const DECODE_SIDE_LIMIT: u32 = 8000;
/// The most pixels decoded at all: a phone's photo is 12 to 24 megapixels. A small file can
/// declare a huge image (a "decompression bomb"), so this is checked from the header, before a
/// pixel is decoded.
pub const MAX_DECODE_PIXELS: u64 = 24_000_000;
/// Photos decoded at once, across the process: each may take ~100 MB while it is decoded.
pub const MAX_CONCURRENT_DECODES: usize = 2;

static DECODES: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(MAX_CONCURRENT_DECODES);

/// [`clean`], off the async workers and no more than [`MAX_CONCURRENT_DECODES`] at once: more
/// uploads wait their turn rather than holding hundreds of megabytes together.
pub async fn clean_queued(upload: Vec<u8>) -> Result<Result<CleanPhoto, String>, tokio::task::JoinError> {
    let _permit = DECODES.acquire().await;
    tokio::task::spawn_blocking(move || clean(&upload)).await
}

/// A photo ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanPhoto {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// `sha-256:` and the base64url SHA-256 of `bytes`.
    pub digest: String,
}

/// `sha-256:` and the base64url SHA-256 of `bytes`, as a passport's `photo_digest` holds it.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha-256:{}", URL_SAFE_NO_PAD.encode(Sha256::digest(bytes)))
}

/// Checks and cleans an uploaded photo; the error is the message shown beside the field.
pub fn clean(upload: &[u8]) -> Result<CleanPhoto, String> {
    if upload.is_empty() {
        return Err("Choose a photo to upload".into());
    }
    if upload.len() > MAX_PHOTO_BYTES {
        return Err("The photo must be smaller than 500 KB".into());
    }
    let not_image = || "The photo must be a JPEG or PNG image".to_owned();
    let mut reader = ImageReader::new(Cursor::new(upload)).with_guessed_format().map_err(|_| not_image())?;
    let format = match reader.format() {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png)) => f,
        _ => return Err(not_image()),
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(DECODE_SIDE_LIMIT);
    limits.max_image_height = Some(DECODE_SIDE_LIMIT);
    limits.max_alloc = Some(MAX_DECODE_PIXELS * 4 + 16 * 1024 * 1024);
    reader.limits(limits);
    let unreadable = |_| "The photo could not be read: the file may be damaged or not really an image".to_owned();
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_DECODE_PIXELS {
        return Err(format!(
            "The photo has too many pixels ({:.0} megapixels): use one of {} megapixels or fewer",
            (u64::from(w) * u64::from(h)) as f64 / 1e6,
            MAX_DECODE_PIXELS / 1_000_000
        ));
    }
    let orientation = decoder.orientation().map_err(unreadable)?;
    let mut img = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    img.apply_orientation(orientation);
    if img.width() < MIN_SIDE || img.height() < MIN_SIDE {
        return Err(format!("The photo must be at least {MIN_SIDE} pixels wide and high"));
    }
    if img.width() > MAX_SIDE || img.height() > MAX_SIDE {
        img = img.resize(MAX_SIDE, MAX_SIDE, FilterType::Triangle);
    }
    let mut bytes = Vec::new();
    let encoded = match format {
        ImageFormat::Png => img.write_with_encoder(PngEncoder::new(&mut bytes)),
        _ => DynamicImage::ImageRgb8(img.to_rgb8()).write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, 88)),
    };
    encoded.map_err(|_| "The photo could not be saved: try a different photo".to_owned())?;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err("The photo must be smaller than 500 KB: use a smaller or more compressed one".into());
    }
    Ok(CleanPhoto {
        content_type: if format == ImageFormat::Png { "image/png" } else { "image/jpeg" },
        digest: digest_of(&bytes),
        width: img.width(),
        height: img.height(),
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn picture(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 128])))
    }

    fn encoded(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// A JPEG carrying an APP1 EXIF segment (with a made-up GPS tag name in it) after SOI.
    fn jpeg_with_exif() -> Vec<u8> {
        let plain = encoded(&picture(300, 400), ImageFormat::Jpeg);
        let payload = b"Exif\0\0MM\0*\0\0\0\x08\0\0GPSLatitude 51.5N secret-camera-serial";
        let len = (payload.len() + 2) as u16;
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(payload);
        out.extend_from_slice(&plain[2..]);
        out
    }

    #[test]
    fn a_jpeg_is_decoded_and_re_encoded_without_its_metadata() {
        let upload = jpeg_with_exif();
        assert!(upload.windows(11).any(|w| w == b"GPSLatitude"));
        let photo = clean(&upload).unwrap();
        assert_eq!(photo.content_type, "image/jpeg");
        assert_eq!((photo.width, photo.height), (300, 400));
        assert!(!photo.bytes.windows(11).any(|w| w == b"GPSLatitude"));
        assert!(!photo.bytes.windows(4).any(|w| w == b"Exif"));
        assert_eq!(photo.digest, digest_of(&photo.bytes));
        assert!(photo.digest.starts_with("sha-256:") && photo.digest.len() == 8 + 43);
    }

    #[test]
    fn a_png_stays_a_png_and_a_large_one_is_scaled_down() {
        let photo = clean(&encoded(&picture(2400, 1200), ImageFormat::Png)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(photo.content_type, "image/png");
        assert_eq!((photo.width, photo.height), (1200, 600));
        assert_eq!(image::guess_format(&photo.bytes).unwrap(), ImageFormat::Png);
    }

    #[test]
    fn an_image_declaring_too_many_pixels_is_refused_before_it_is_decoded() {
        // A small real JPEG whose frame header is rewritten to claim 6000 × 6000 pixels.
        let mut bomb = encoded(&picture(300, 300), ImageFormat::Jpeg);
        let sof = bomb.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame header");
        bomb[sof + 5..sof + 7].copy_from_slice(&6000u16.to_be_bytes());
        bomb[sof + 7..sof + 9].copy_from_slice(&6000u16.to_be_bytes());
        assert_eq!(
            clean(&bomb).unwrap_err(),
            "The photo has too many pixels (36 megapixels): use one of 24 megapixels or fewer"
        );
    }

    #[tokio::test]
    async fn a_decode_waits_while_the_limit_of_decodes_is_running() {
        let busy = DECODES.acquire_many(MAX_CONCURRENT_DECODES as u32).await.unwrap();
        let waiting = tokio::spawn(clean_queued(encoded(&picture(300, 400), ImageFormat::Png)));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(!waiting.is_finished(), "no permit, no decoding");
        drop(busy);
        let cleaned = tokio::time::timeout(std::time::Duration::from_secs(10), waiting).await.unwrap().unwrap();
        assert_eq!(cleaned.unwrap().unwrap().width, 300);
    }

    #[test]
    fn what_is_not_a_photo_is_refused_with_its_reason() {
        assert_eq!(clean(b"").unwrap_err(), "Choose a photo to upload");
        assert_eq!(clean(b"%PDF-1.7 not a photo").unwrap_err(), "The photo must be a JPEG or PNG image");
        assert_eq!(clean(b"GIF89a\x01\x00\x01\x00\x00\x00\x00").unwrap_err(), "The photo must be a JPEG or PNG image");
        // A real JPEG header with the rest cut off: it claims to be an image but is not one.
        let truncated = &encoded(&picture(300, 300), ImageFormat::Jpeg)[..200];
        assert!(clean(truncated).unwrap_err().starts_with("The photo could not be read"));
        assert_eq!(
            clean(&encoded(&picture(50, 300), ImageFormat::Png)).unwrap_err(),
            "The photo must be at least 100 pixels wide and high"
        );
        let mut big = encoded(&picture(200, 200), ImageFormat::Png);
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        assert_eq!(clean(&big).unwrap_err(), "The photo must be smaller than 500 KB");
    }
}
