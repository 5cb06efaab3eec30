#include "engine/base/source.h"

#include <deque>
#include <mutex>
#include <vector>

namespace cairn {
namespace {

struct SourceFile {
  std::string name;
  std::string text;
  std::vector<size_t> line_starts;
};

std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}
// A deque keeps references stable while new files are added.
std::deque<SourceFile>& Files() {
  static std::deque<SourceFile> files;
  return files;
}

}  // namespace

uint32_t SourceFiles::Add(std::string name, std::string text) {
  SourceFile f{std::move(name), std::move(text), {0}};
  for (size_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  std::lock_guard<std::mutex> lock(Mu());
  Files().push_back(std::move(f));
  return static_cast<uint32_t>(Files().size());
}

std::string SourceFiles::Name(uint32_t id) {
  std::lock_guard<std::mutex> lock(Mu());
  if (id == 0 || id > Files().size()) return "";
  return Files()[id - 1].name;
}

std::string SourceFiles::Line(uint32_t id, uint32_t line) {
  std::lock_guard<std::mutex> lock(Mu());
  if (id == 0 || id > Files().size()) return "";
  const SourceFile& f = Files()[id - 1];
  if (line == 0 || line > f.line_starts.size()) return "";
  size_t start = f.line_starts[line - 1];
  size_t end = f.text.find('\n', start);
  if (end == std::string::npos) end = f.text.size();
  std::string out = f.text.substr(start, end - start);
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return out;
}

std::string SourceFiles::Format(const SourceLoc& loc) {
  if (!loc.valid()) return "";
  return Name(loc.file) + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col);
}

}  // namespace cairn
