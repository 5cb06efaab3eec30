// Progress lines printed while apply runs, one plain line per event.
#pragma once

#include <mutex>
#include <string>

#include "engine/apply/applier.h"

namespace cairn::cli {

/// Turns apply events into lines such as "local.file.motd: Creating..." and
/// "local.file.motd: Creation complete after 0.2s".
class ProgressPrinter {
 public:
  ProgressPrinter(bool color, size_t total) : color_(color), total_(total) {}
  void OnEvent(const apply::ApplyEvent& e);

 private:
  std::mutex mu_;
  bool color_;
  size_t total_;
  size_t finished_ = 0;
};

}  // namespace cairn::cli
