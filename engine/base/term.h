// Terminal styling: ANSI colours that switch off for pipes, --no-color and NO_COLOR.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace cairn {

/// True when `stream` is a terminal, NO_COLOR is unset and TERM is not "dumb".
bool ColorWanted(FILE* stream);

/// Wraps text in ANSI escapes when colour is on; returns it unchanged otherwise.
class Style {
 public:
  explicit Style(bool color) : color_(color) {}
  bool color() const { return color_; }
  std::string Bold(std::string_view s) const { return Wrap("1", s); }
  std::string Red(std::string_view s) const { return Wrap("31", s); }
  std::string Green(std::string_view s) const { return Wrap("32", s); }
  std::string Yellow(std::string_view s) const { return Wrap("33", s); }
  std::string Cyan(std::string_view s) const { return Wrap("36", s); }
  std::string Dim(std::string_view s) const { return Wrap("2", s); }

 private:
  std::string Wrap(const char* code, std::string_view s) const {
    if (!color_) return std::string(s);
    return std::string("\x1b[") + code + "m" + std::string(s) + "\x1b[0m";
  }
  bool color_;
};

}  // namespace cairn
