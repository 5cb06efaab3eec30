#include "engine/lua/modules/modules.h"

namespace cairn::lua {

const std::vector<HostModule>& HostModules() {
  static const std::vector<HostModule> kModules = {
      {"http", OpenHttpModule},     {"json", OpenJsonModule},
      {"yaml", OpenYamlModule},     {"base64", OpenBase64Module},
      {"crypto", OpenCryptoModule}, {"log", OpenLogModule},
      {"fs", OpenFsModule},         {"jsonschema", OpenJsonSchemaModule},
      {"time", OpenTimeModule},
  };
  return kModules;
}

}  // namespace cairn::lua
