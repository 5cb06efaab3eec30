// The journal file format: one line per record, each guarded by a CRC-32 so that a line torn by
// a crash is recognised and dropped. Shared by the writer and by Load's replay.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/value.h"
#include "engine/state/cipher.h"
#include "engine/state/state.h"

namespace cairn::state {

/// The journal's file format version, written in its header line.
inline constexpr int kJournalVersion = 1;

/// A journal file once read: its header and the records that passed their checksums.
struct JournalContents {
  std::string lineage;       // of the state the journal sits on
  uint64_t base_serial = 0;  // serial of the state.json the records apply on top of
  std::vector<Value> records;
  size_t valid_bytes = 0;  // length of the prefix made of the header and whole, valid records
  std::string problem;     // set when bytes after valid_bytes were ignored, saying why
};

/// CRC-32 (IEEE 802.3, as in zip and PNG).
uint32_t Crc32(std::string_view data);

/// "<crc32 as 8 hex digits> <compact JSON>\n"
std::string EncodeJournalLine(const Value& v);
/// The line for one record; with a cipher, the record is sealed into {"sealed": envelope} first
/// (the header stays plain: it holds only the lineage and the serial).
Result<std::string> EncodeRecordLine(const Value& record, const StateCipher* cipher);
/// The header line for a journal on top of (lineage, base_serial).
std::string JournalHeader(const std::string& lineage, uint64_t base_serial);
Value PutRecord(const ResourceState& r);
Value DeleteRecord(const std::string& address);

/// Parses journal text. An invalid header is an error; an invalid record ends the journal there
/// (what follows is reported in `problem` and ignored). Sealed records are opened with `cipher`;
/// one that cannot be opened (no key, wrong key) is an error with code kConflict, so that the
/// caller never mistakes it for damage and drops it.
Status ParseJournal(std::string_view text, JournalContents* out,
                    const StateCipher* cipher = nullptr);

/// Applies one record to `s`.
Status ApplyJournalRecord(const Value& record, State* s);
/// The address a record is about.
std::string RecordAddress(const Value& record);

}  // namespace cairn::state
