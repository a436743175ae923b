#include "tests/testing/server_test.h"

namespace flagledger {

TempDir* ServerTest::dir_ = nullptr;
ServerProcess* ServerTest::server_ = nullptr;

}  // namespace flagledger
