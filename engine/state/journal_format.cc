#include "engine/state/journal_format.h"

#include <array>
#include <cstdio>

#include "engine/base/json.h"

namespace cairn::state {
namespace {

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

// Decodes one line (without its newline); false when the checksum or JSON is bad.
bool DecodeLine(std::string_view line, Value* out) {
  if (line.size() < 10 || line[8] != ' ') return false;
  uint32_t want = 0;
  for (int i = 0; i < 8; ++i) {
    char c = line[static_cast<size_t>(i)];
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else {
      return false;
    }
    want = want << 4 | d;
  }
  std::string_view body = line.substr(9);
  if (Crc32(body) != want) return false;
  Result<Value> v = ParseJson(body);
  if (!v.ok() || !v->is_map()) return false;
  *out = std::move(v).value();
  return true;
}

}  // namespace

uint32_t Crc32(std::string_view data) {
  static const std::array<uint32_t, 256> kTable = MakeCrcTable();
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : data) c = kTable[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string EncodeJournalLine(const Value& v) {
  std::string body = DumpJson(v);
  char crc[10];
  std::snprintf(crc, sizeof crc, "%08x ", Crc32(body));
  std::string line;
  line.reserve(body.size() + 10);
  line.append(crc, 9);
  line += body;
  line += '\n';
  return line;
}

Result<std::string> EncodeRecordLine(const Value& record, const StateCipher* cipher) {
  if (cipher == nullptr) return EncodeJournalLine(record);
  Result<std::string> sealed = cipher->Seal(DumpJson(record));
  if (!sealed.ok()) return sealed.status();
  Value wrapper = Value::EmptyMap();
  wrapper["sealed"] = std::move(sealed).value();
  return EncodeJournalLine(wrapper);
}

std::string JournalHeader(const std::string& lineage, uint64_t base_serial) {
  Value h = Value::EmptyMap();
  h["cairn_journal"] = kJournalVersion;
  h["lineage"] = lineage;
  h["serial"] = static_cast<int64_t>(base_serial);
  return EncodeJournalLine(h);
}

Value PutRecord(const ResourceState& r) {
  Value v = Value::EmptyMap();
  v["op"] = "put";
  v["resource"] = ResourceToValue(r);
  return v;
}

Value DeleteRecord(const std::string& address) {
  Value v = Value::EmptyMap();
  v["op"] = "delete";
  v["address"] = address;
  return v;
}

Status ParseJournal(std::string_view text, JournalContents* out, const StateCipher* cipher) {
  *out = JournalContents();
  size_t nl = text.find('\n');
  Value header;
  if (nl == std::string_view::npos || !DecodeLine(text.substr(0, nl), &header)) {
    return Status::Error("the journal header is damaged");
  }
  const Value* version = header.Find("cairn_journal");
  const Value* lineage = header.Find("lineage");
  const Value* serial = header.Find("serial");
  if (version == nullptr || !version->is_int() || lineage == nullptr || !lineage->is_string() ||
      serial == nullptr || !serial->is_int() || serial->AsInt() < 0) {
    return Status::Error("the journal header lacks cairn_journal, lineage or serial");
  }
  if (version->AsInt() > kJournalVersion) {
    return Status::Error("the journal has version " + std::to_string(version->AsInt()) +
                             ", newer than this cairn understands",
                         "upgrade cairn");
  }
  out->lineage = lineage->AsString();
  out->base_serial = static_cast<uint64_t>(serial->AsInt());
  size_t pos = nl + 1;
  out->valid_bytes = pos;
  while (pos < text.size()) {
    nl = text.find('\n', pos);
    Value record;
    bool whole = nl != std::string_view::npos;
    bool decoded = whole && DecodeLine(text.substr(pos, nl - pos), &record);
    if (const Value* sealed = decoded ? record.Find("sealed") : nullptr) {
      std::string what = "record " + std::to_string(out->records.size() + 1) + " of the journal";
      Result<std::string> plain = sealed->is_string()
                                      ? OpenIfSealed(cipher, sealed->AsString(), what)
                                      : Result<std::string>(Status::Error(what + " is damaged"));
      if (!plain.ok()) {
        return Status::WithCode(Status::Code::kConflict, plain.status().message(),
                                plain.status().hint());
      }
      Result<Value> v = ParseJson(*plain);
      decoded = v.ok() && v->is_map();
      if (decoded) record = std::move(v).value();
    }
    if (!decoded || RecordAddress(record).empty()) {
      bool last = !whole || nl + 1 == text.size();
      out->problem = std::string(
          last ? "its last record is incomplete or damaged (an "
                 "interrupted write); it was dropped"
               : "record " + std::to_string(out->records.size() + 1) + " is damaged; it and the " +
                     std::to_string(text.size() - pos) + " bytes after it were dropped");
      break;
    }
    out->records.push_back(std::move(record));
    pos = nl + 1;
    out->valid_bytes = pos;
  }
  return Status::Ok();
}

std::string RecordAddress(const Value& record) {
  const Value* op = record.Find("op");
  if (op == nullptr || !op->is_string()) return "";
  const Value* addr = nullptr;
  if (op->AsString() == "put") {
    if (const Value* r = record.Find("resource")) addr = r->Find("address");
  } else if (op->AsString() == "delete") {
    addr = record.Find("address");
  }
  return addr != nullptr && addr->is_string() ? addr->AsString() : "";
}

Status ApplyJournalRecord(const Value& record, State* s) {
  const std::string& op = record.Find("op")->AsString();
  if (op == "delete") {
    s->resources.erase(record.Find("address")->AsString());
    return Status::Ok();
  }
  Result<ResourceState> r = ResourceFromValue(*record.Find("resource"));
  if (!r.ok()) return r.status();
  std::string addr = r->address;
  s->resources[addr] = std::move(r).value();
  return Status::Ok();
}

}  // namespace cairn::state
