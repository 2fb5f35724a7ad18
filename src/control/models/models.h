// Model APIs: a named endpoint owned by a user, with an environment, numbered versions (each an
// uploaded model file, kept once by its SHA-256), labels naming versions (`prod`), a deployment
// (hardware tier, instance count, numeric precision, running or stopped) and the version it runs
// (the active one).
//
// Model files travel: upload (streamed by the HTTP server into <data>/staging) -> sealed here
// (hashed, fsynced) -> validated by loading it in a child `modelhost validate` -> renamed into
// <data>/blobs/sha256/<hex> (directory fsynced) -> the version row committed. A crash at any point
// leaves either no version or a complete one; staging is emptied at start.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "control/auth/users.h"
#include "control/quotas/quotas.h"
#include "control/store/db.h"
#include "control/tiers/tiers.h"

namespace modelhost::control {

struct Blob {
  std::string sha256;
  uint64_t size = 0;
};

class BlobStore {
 public:
  explicit BlobStore(std::string data_dir);

  // Creates the directories and deletes what an interrupted upload left in staging.
  Status prepare();
  const std::string& staging_dir() const { return staging_; }

  // Hashes a staged file and flushes it to disk.
  Result<Blob> seal(const std::string& staged) const;
  // Moves a sealed file to its place (or drops it when that content is stored already).
  Status commit(const std::string& staged, const Blob& blob) const;
  std::string path_of(std::string_view sha256) const;
  // The directory every blob lives under (a worker's --model path starts with it).
  const std::string& blob_dir() const { return blobs_; }

 private:
  std::string staging_, blobs_;
};

// Loads the model in a child `modelhost validate` (so a file that crashes the loader cannot take
// the controller with it) and returns its signature as the Open Inference Protocol's metadata
// JSON; kInvalidArgument with the engine's message for a file it refuses.
Result<std::string> validate_model_file(const std::string& path);

struct ModelVersion {
  int64_t version = 0;
  std::string sha256;
  int64_t size = 0;
  std::string signature;  // JSON
  std::string note;
  std::string uploaded_by;
  std::string uploaded_at;
  std::vector<std::string> labels;
};

struct ModelApi {
  std::string name;
  std::string owner;
  std::string description;
  std::string environment = "onnx";
  std::string visibility = "private";  // or "public": callable without an access token
  std::string tier;                    // "" until deployed
  int64_t instances = 0;               // desired
  std::string precision = "fp32";      // on GPUs: fp32, tf32, fp16 or bf16 (`run --precision`)
  bool running = true;                 // false after stop
  int64_t active_version = 0;          // the version the instances run
  int64_t previous_version = 0;        // what rollback returns to
  int64_t latest_version = 0;
  bool deleting = false;
  std::string deployed_at;
  std::string created_at;
};

struct AccessToken {
  std::string id;  // "mat-<hex>"
  std::string name;
  std::string model;
  std::string created_at;
  std::string revoked_at;
};

class ModelApis {
 public:
  explicit ModelApis(Db& db) : db_(db) {}

  // Step one: the Model API and its version 1 (active) in one transaction.
  Result<ModelApi> create(const ModelApi& model, const User& owner, const Blob& blob,
                          const std::string& signature, const std::string& note);
  // A new version; made active when `activate` (a deployed Model API then rolls over to it).
  Result<ModelVersion> add_version(std::string_view model, const Blob& blob,
                                   const std::string& signature, const std::string& note,
                                   const User& by, bool activate);

  Result<ModelApi> get(std::string_view name);
  // All Model APIs, or those of one owner.
  Result<std::vector<ModelApi>> list(std::optional<std::string> owner);
  Result<std::vector<ModelVersion>> versions(std::string_view model);
  Result<ModelVersion> version(std::string_view model, int64_t version);

  // Step two: tier, instance count (1 to 32) and precision (check_precision; whether the tier
  // can take it is the caller's check, check_precision_on_tier); running again.
  Status set_deployment(std::string_view model, const std::string& tier, int64_t instances,
                        const std::string& precision);
  Status set_running(std::string_view model, bool running);
  Status set_visibility(std::string_view model, const std::string& visibility);
  Status set_description(std::string_view model, const std::string& description);
  // Makes `version` the one the instances run; the current one becomes the rollback target.
  Status activate(std::string_view model, int64_t version);
  // Back to the previous active version.
  Result<int64_t> rollback(std::string_view model);
  Status set_label(std::string_view model, const std::string& label, int64_t version);
  Status remove_label(std::string_view model, const std::string& label);
  // Delete: marked first (the orchestrator drains its instances), erased after.
  Status mark_deleting(std::string_view model);
  Status erase(std::string_view model);
  // The blobs no version refers to any more.
  Result<std::vector<std::string>> orphan_blobs(const std::vector<std::string>& candidates);

  // What a user's deployments ask for (instances x the tier's requests), over their running
  // Model APIs but `except`: the usage a quota is checked against.
  Result<Resources> desired_usage(const std::string& user, std::string_view except);

  Result<std::pair<AccessToken, std::string>> issue_access_token(std::string_view model,
                                                                 const std::string& name);
  Result<std::vector<AccessToken>> access_tokens(std::string_view model);
  Status revoke_access_token(std::string_view model, std::string_view id);
  // Whether `secret` is a valid access token of `model`.
  Result<bool> check_access_token(std::string_view model, std::string_view secret);

 private:
  Db& db_;
};

// Labels: like names, 1 to 64 of A-Z a-z 0-9 . _ -
Status check_label(std::string_view label);

// The numeric precisions a deployment may ask of GPU execution, as `modelhost run --precision`
// takes them; fp32 is the default and the only one a CPU computes in.
inline constexpr std::string_view kPrecisions[] = {"fp32", "tf32", "fp16", "bf16"};
// kInvalidArgument unless `precision` is one of kPrecisions:
//   precision must be one of fp32, tf32, fp16, bf16, got "fp8"
Status check_precision(std::string_view precision);
// kInvalidArgument for a precision other than fp32 on a tier without GPUs:
//   precision fp16 needs a GPU tier; tier "cpu-small" has no GPUs
Status check_precision_on_tier(std::string_view precision, const Tier& tier);

}  // namespace modelhost::control
