//! SQLite's memory: its allocations go to mimalloc, as the rest of the server binary's do, and
//! are not counted.
//!
//! SQLite allocates with the C library's `malloc` unless told otherwise, and by default (in the
//! bundled build sqlx uses) it counts every allocation under one process-wide mutex, for
//! `sqlite3_memory_used`, which nothing here reads. A profile of the server under a stream of
//! decisions found glibc's malloc at about 4 % of all samples and that mutex at about 2.4 %, all
//! in SQLite's connection threads (README, Figures). [`configure`] turns the counting off
//! (`SQLITE_CONFIG_MEMSTATUS`) and hands SQLite mimalloc's functions (`SQLITE_CONFIG_MALLOC`).
//!
//! This is the project's only `unsafe` code (with its test): calls into two C libraries, each
//! with its reason.

use libmimalloc_sys as mi;
use libsqlite3_sys as sqlite;
use std::ffi::{c_int, c_void};

/// What [`configure`] could not do: the SQLite result code of the `sqlite3_config` call that
/// failed. SQLite then goes on with its defaults, which work, only slower.
#[derive(Debug, thiserror::Error)]
#[error("sqlite3_config({option}) answered {code} (SQLite keeps its own allocator)")]
pub struct NotConfigured {
    pub option: &'static str,
    pub code: c_int,
}

/// Turns SQLite's memory counting off and gives it mimalloc as its allocator.
///
/// # Safety
///
/// SQLite's configuration is process-wide and `sqlite3_config` is not thread-safe: no other
/// thread may use SQLite while this runs, and it must run before SQLite is first used (after
/// that SQLite refuses, with `SQLITE_MISUSE`, and nothing changes). `main` calls it first thing,
/// before the runtime's threads exist.
pub unsafe fn configure() -> Result<(), NotConfigured> {
    let off: c_int = 0;
    // SAFETY: the caller guarantees no other thread uses SQLite. MEMSTATUS takes one int.
    let code = unsafe { sqlite::sqlite3_config(sqlite::SQLITE_CONFIG_MEMSTATUS, off) };
    if code != sqlite::SQLITE_OK {
        return Err(NotConfigured { option: "SQLITE_CONFIG_MEMSTATUS", code });
    }
    let methods = sqlite::sqlite3_mem_methods {
        xMalloc: Some(malloc),
        xFree: Some(free),
        xRealloc: Some(realloc),
        xSize: Some(size),
        xRoundup: Some(roundup),
        xInit: Some(init),
        xShutdown: Some(shutdown),
        pAppData: std::ptr::null_mut(),
    };
    // SAFETY: as above; MALLOC takes a pointer to the methods, which SQLite copies before
    // returning, so the local may go out of scope. Every method is valid for the whole process.
    let code = unsafe { sqlite::sqlite3_config(sqlite::SQLITE_CONFIG_MALLOC, &raw const methods) };
    if code != sqlite::SQLITE_OK {
        return Err(NotConfigured { option: "SQLITE_CONFIG_MALLOC", code });
    }
    Ok(())
}

/// SQLite asks for a positive number of bytes; anything else gets nothing (a null pointer is
/// SQLite's "out of memory", which it handles).
extern "C" fn malloc(bytes: c_int) -> *mut c_void {
    match usize::try_from(bytes) {
        // SAFETY: mi_malloc takes any size; it answers null when it cannot allocate.
        Ok(bytes) => unsafe { mi::mi_malloc(bytes) },
        Err(_) => std::ptr::null_mut(),
    }
}

extern "C" fn free(block: *mut c_void) {
    // SAFETY: SQLite frees only what `malloc` or `realloc` above gave it (or null), once.
    unsafe { mi::mi_free(block) }
}

extern "C" fn realloc(block: *mut c_void, bytes: c_int) -> *mut c_void {
    match usize::try_from(bytes) {
        // SAFETY: `block` came from `malloc` or `realloc` above (SQLite never passes null here);
        // on failure mi_realloc answers null and leaves the block as it was, as SQLite expects.
        Ok(bytes) => unsafe { mi::mi_realloc(block, bytes) },
        Err(_) => std::ptr::null_mut(),
    }
}

/// The usable size of a block, at least what was asked for.
extern "C" fn size(block: *mut c_void) -> c_int {
    // SAFETY: SQLite asks only about blocks `malloc` or `realloc` above gave it, or null (0).
    let bytes = unsafe { mi::mi_usable_size(block) };
    c_int::try_from(bytes).unwrap_or(c_int::MAX)
}

/// What SQLite's own allocator does: sizes rounded up to a multiple of 8.
extern "C" fn roundup(bytes: c_int) -> c_int {
    bytes.checked_add(7).map_or(bytes, |b| b & !7)
}

extern "C" fn init(_: *mut c_void) -> c_int {
    sqlite::SQLITE_OK
}

extern "C" fn shutdown(_: *mut c_void) {}

#[cfg(test)]
mod tests {
    use super::*;

    // The methods alone; the whole of `configure` is tested in its own process
    // (tests/sqlite_memory.rs), since SQLite's configuration is process-wide.
    #[test]
    fn blocks_are_allocated_resized_and_sized_by_mimalloc() {
        let block = malloc(100);
        assert!(!block.is_null());
        assert!(size(block) >= 100);
        // SAFETY: `block` was just allocated by mimalloc.
        assert!(unsafe { mi::mi_is_in_heap_region(block) });
        let bigger = realloc(block, 10_000);
        assert!(!bigger.is_null());
        assert!(size(bigger) >= 10_000);
        free(bigger);
        assert!(malloc(-1).is_null());
        assert_eq!(size(std::ptr::null_mut()), 0);
    }

    #[test]
    fn sizes_round_up_to_eight() {
        assert_eq!(roundup(1), 8);
        assert_eq!(roundup(8), 8);
        assert_eq!(roundup(9), 16);
        assert_eq!(roundup(c_int::MAX), c_int::MAX);
    }
}
