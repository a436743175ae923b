// A FlagStore over a real EventLog in a temporary directory, with a manual clock; Open() again
// to restart it on the same data.
#pragma once

#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "projections/flag_store.h"
#include "tests/testing/manual_clock.h"
#include "tests/testing/temp_dir.h"

namespace flagledger {

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    store_.reset();
    log_.reset();
    log_ = EventLog::Open(dir_.path(), EventLogOptions{}).value();
    store_ = std::make_unique<FlagStore>(*log_, clock_, store_options_);
    ASSERT_TRUE(store_->Start().ok());
  }

  // Submits `command`; the future holds its outcome.
  std::future<WriteOutcome> Submit(Command command, CommandContext context) {
    auto promise = std::make_shared<std::promise<WriteOutcome>>();
    auto outcome = promise->get_future();
    store_->Submit(std::move(command), std::move(context),
                   [promise](WriteOutcome answer) { promise->set_value(std::move(answer)); });
    return outcome;
  }

  // Submits `command` and waits for its outcome.
  WriteOutcome Run(Command command, CommandContext context) {
    return Submit(std::move(command), std::move(context)).get();
  }

  TempDir dir_;
  ManualClock clock_;
  FlagStoreOptions store_options_;  // for the next Open()
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<FlagStore> store_;
};

}  // namespace flagledger
