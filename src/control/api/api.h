// The controller's REST API under /api/ (JSON), plus /healthz and /readyz.
//
// Every /api/ route needs `Authorization: Bearer <token>`: 401 without a token or with an
// unknown or revoked one, 403 for a user on an admin route or on another user's things. Every
// response carries an X-Request-Id (the caller's, when it sends a sane one); error bodies are
// {"error": "<what is wrong>", "request_id": "<id>"}. The routes are described by the OpenAPI
// document served at /api/openapi.json (docs/openapi.json, embedded at build time).
#pragma once

#include <memory>

#include "control/auth/users.h"
#include "control/environments/environments.h"
#include "control/gateway/gateway.h"
#include "control/inventory/inventory.h"
#include "control/models/models.h"
#include "control/orchestrator/orchestrator.h"
#include "control/quotas/quotas.h"
#include "control/store/db.h"
#include "control/tiers/tiers.h"
#include "http/router.h"

namespace modelhost::control {

// What the routes work on; everything must outlive the router.
struct ControlState {
  Db& db;
  Users& users;
  Tiers& tiers;
  Quotas& quotas;
  Environments& environments;
  const Inventory& inventory;
  ModelApis& models;
  const BlobStore& blobs;
  Orchestrator& orchestrator;
  Gateway& gateway;
  GpuMonitor* gpu_monitor = nullptr;  // samples discovered GPUs; null without NVML
};

// Adds the routes to `router`. The routes use the returned object, which must be kept as long as
// the router.
std::shared_ptr<const void> add_api_routes(http::Router& router, const ControlState& state);

// The Model API routes (/api/models...); add_api_routes adds them too.
std::shared_ptr<const void> add_model_routes(http::Router& router, const ControlState& state);

// The embedded OpenAPI document (generated from docs/openapi.json).
extern const char* const kOpenApiJson;

}  // namespace modelhost::control
