#include "engine/state/state_prefetch.h"

#include "engine/state/cipher.h"
#include "engine/state/file_io.h"
#include "engine/state/json_reader.h"

namespace cairn::state {

std::shared_ptr<StatePrefetch> StatePrefetch::Start(std::string path) {
  std::shared_ptr<StatePrefetch> p(new StatePrefetch(std::move(path)));
  p->done_ = AsyncTask::Start([raw = p.get()] { raw->Run(); });
  return p;
}

StatePrefetch::~StatePrefetch() {
  if (done_.valid()) done_.wait();
}

void StatePrefetch::Run() {
  if (!ReadWholeFile(path_, &text_).ok() || StateCipher::IsSealed(text_)) return;
  Value root;
  if (!ReadJsonFast(text_, &root)) return;  // the backend reports what is wrong with it
  Result<State> parsed = StateFromValue(std::move(root));
  if (parsed.ok()) state_ = std::move(parsed).value();
}

std::optional<State> StatePrefetch::TakeIfSame(const std::string& path, std::string_view text) {
  if (done_.valid()) done_.get();
  std::optional<State> out;
  if (state_.has_value() && path == path_ && text == text_) out.swap(state_);
  state_.reset();
  return out;
}

}  // namespace cairn::state
