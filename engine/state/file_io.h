// Small POSIX file helpers for durable state files: whole-file reads, atomic replacement,
// directory syncs. Errors come back as Status naming the path and the system's reason.
#pragma once

#include <string>

#include <sys/types.h>

#include "engine/base/status.h"

namespace cairn::state {

/// "<what> <path>: <strerror(err)>"
Status ErrnoStatus(const std::string& what, const std::string& path, int err);

/// Reads a whole file. A missing file yields Status::Code::kNotFound.
Status ReadWholeFile(const std::string& path, std::string* out);

/// Writes all of `data` to fd, retrying short writes and EINTR.
bool WriteAll(int fd, const char* data, size_t size);

/// Creates `dir` and its parents (mode for the ones created).
Status MakeDirs(const std::string& dir, mode_t mode);

/// fsyncs a directory so that renames and unlinks inside it survive a power loss.
Status SyncDir(const std::string& dir);

/// Replaces `path` with `data` atomically: a temp file in the same directory is written and
/// fsynced, then renamed over `path`, then the directory is fsynced. A crash at any point
/// leaves either the old or the new content at `path` (and perhaps a stray temp file).
Status ReplaceFileAtomically(const std::string& path, const std::string& data, mode_t mode);

/// The temp name ReplaceFileAtomically uses for `path` in this process.
std::string TempNameFor(const std::string& path);

}  // namespace cairn::state
