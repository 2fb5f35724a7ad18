// What an instance's `modelhost run` is told about its device: the rule that keeps a simulated GPU
// instance (which runs on the CPU) from getting a precision that `run` refuses there.
#include "control/orchestrator/orchestrator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace modelhost::control {
namespace {

using Flags = std::vector<std::string>;

TEST(InstanceDeviceFlagsTest, DiscoveredGpusGetTheFirstVisibleDeviceAndThePrecision) {
  EXPECT_EQ(instance_device_flags(true, false, "fp16"),
            (Flags{"--device", "cuda:0", "--precision", "fp16"}));
  EXPECT_EQ(instance_device_flags(true, false, "fp32"),
            (Flags{"--device", "cuda:0", "--precision", "fp32"}));
}

TEST(InstanceDeviceFlagsTest, InstancesOnTheCpuGetNeitherFlag) {
  // A simulated (declared) GPU: the model runs on the CPU, in fp32, whatever the deployment asks.
  EXPECT_EQ(instance_device_flags(true, true, "bf16"), Flags{});
  // No GPUs (a CPU tier, or a tier whose GPUs were taken away after an fp16 deployment).
  EXPECT_EQ(instance_device_flags(false, false, "fp16"), Flags{});
  EXPECT_EQ(instance_device_flags(false, false, "fp32"), Flags{});
}

}  // namespace
}  // namespace modelhost::control
