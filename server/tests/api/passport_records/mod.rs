//! The passport, part 1, HR's side: recording each check (what, when, by whom) on a form whose
//! every field is parsed and refused with its own message, saving nothing; the photo proved to
//! be an image, stripped of metadata, bound into the credential by its digest and served beside
//! it; and the trust's queue of passports that need HR.
//!
//! Here: made-up photos, HR's form with changes, and what the tests count; the tests are in
//! `checks` (the form and who may open a record), `photos` and `queue`.

mod checks;
mod photos;
mod queue;

use crate::helpers::{NURSE_R0A, TestApp};
use crate::passports::nurse_form;
use app::server::entities::{passport, passport_audit, passport_check, passport_photo};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use sea_orm::{EntityTrait, PaginatorTrait};
use std::io::Cursor;

/// A made-up photo: a gradient, `w` × `h`, in `format`.
pub(crate) fn photo(w: u32, h: u32, format: ImageFormat) -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_fn(w, h, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90])));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// A JPEG carrying EXIF metadata (a location and a camera serial number) in an APP1 segment.
fn jpeg_with_exif() -> Vec<u8> {
    let plain = photo(320, 400, ImageFormat::Jpeg);
    let payload = b"Exif\0\0MM\0*\0\0\0\x08\0\0GPSLatitude 53.47N CameraSerial 0042";
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&plain[2..]);
    out
}

/// The items of HR's form as posted, with `field` (without `items[…]`) set to `value`.
fn form_with(name: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    nurse_form(name, NURSE_R0A)
        .values()
        .into_iter()
        .map(|(k, v)| {
            let bare = &k["items[".len()..k.len() - 1];
            let v = changes.iter().find(|(f, _)| *f == bare).map_or(v, |(_, nv)| (*nv).to_owned());
            (k, v)
        })
        .collect()
}

impl TestApp {
    /// Rows of everything HR's passport forms could change.
    async fn passport_rows(&self) -> (u64, u64, u64, u64) {
        (
            passport::Entity::find().count(&self.db).await.unwrap(),
            passport_check::Entity::find().count(&self.db).await.unwrap(),
            passport_photo::Entity::find().count(&self.db).await.unwrap(),
            passport_audit::Entity::find().count(&self.db).await.unwrap(),
        )
    }
}

/// The value a credential discloses for `name`, its disclosures decoded.
fn discloses(credential: &str, name: &str) -> Option<serde_json::Value> {
    credential
        .split('~')
        .skip(1)
        .filter_map(credential::Disclosure::parse)
        .find(|d| d.name() == name)
        .map(|d| d.value().clone())
}
