#include "engine/onnx/external_data.h"

#include <fstream>
#include <system_error>

namespace modelhost::engine::onnx_import {

namespace fs = std::filesystem;

namespace {

// True when `path` is `dir` itself or lies below it (both canonical).
bool is_inside(const fs::path& dir, const fs::path& path) {
  auto d = dir.begin();
  auto p = path.begin();
  for (; d != dir.end(); ++d, ++p) {
    if (d->empty()) continue;  // a trailing separator yields an empty last element
    if (p == path.end() || *d != *p) return false;
  }
  return true;
}

}  // namespace

Result<fs::path> resolve_external_path(const fs::path& model_dir, const std::string& location) {
  if (location.empty()) return invalid_argument("external data has no location");
  if (location.find('\0') != std::string::npos) {
    return invalid_argument("external data location contains a NUL byte");
  }
  const fs::path rel(location);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) {
    return invalid_argument("external data location \"" + location +
                            "\" is absolute; it must be relative to the model's folder");
  }
  std::error_code ec;
  const fs::path dir = fs::canonical(model_dir, ec);
  if (ec) {
    return invalid_argument("model folder cannot be resolved: " + ec.message());
  }
  // weakly_canonical follows every symlink that exists, so a link pointing outside the folder
  // resolves to its real target and fails the prefix check below.
  const fs::path target = fs::weakly_canonical(dir / rel, ec);
  if (ec || !is_inside(dir, target) || target == dir) {
    return invalid_argument("external data location \"" + location +
                            "\" is outside the model's folder");
  }
  const auto status = fs::status(target, ec);
  if (ec || !fs::exists(status)) {
    return invalid_argument("external data file \"" + location + "\" does not exist");
  }
  if (!fs::is_regular_file(status)) {
    return invalid_argument("external data location \"" + location + "\" is not a regular file");
  }
  return target;
}

Status read_external_bytes(const fs::path& path, int64_t offset, std::optional<int64_t> length,
                           int64_t size, const std::function<void*()>& allocate) {
  if (offset < 0) return invalid_argument("external data offset is negative");
  if (length && *length != size) {
    return invalid_argument("external data length " + std::to_string(*length) +
                            " does not match the tensor's " + std::to_string(size) + " bytes");
  }
  std::error_code ec;
  const uintmax_t file_size = fs::file_size(path, ec);
  if (ec) return invalid_argument("external data file cannot be read: " + ec.message());
  if (static_cast<uintmax_t>(offset) > file_size ||
      static_cast<uintmax_t>(size) > file_size - static_cast<uintmax_t>(offset)) {
    return invalid_argument("external data range [" + std::to_string(offset) + ", +" +
                            std::to_string(size) + ") is past the end of the " +
                            std::to_string(file_size) + "-byte file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return invalid_argument("external data file cannot be opened");
  void* dst = allocate();
  if (size == 0) return Status::ok_status();
  in.seekg(offset);
  in.read(static_cast<char*>(dst), size);
  if (!in || in.gcount() != size) return invalid_argument("external data file read failed");
  return Status::ok_status();
}

}  // namespace modelhost::engine::onnx_import
