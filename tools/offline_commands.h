// The offline commands: they read a data directory directly (a RocksDB secondary instance),
// also while a server runs on it. Each returns the process exit code: 0 success, 1 failure or
// mismatch, 2 usage error.
#pragma once

#include <string>
#include <vector>

namespace flagledger {

// flagledger history --data-dir DIR [--org ORG [--flag KEY]] [filters] [--format F]
int RunHistory(const std::vector<std::string>& args);
// flagledger diff --data-dir DIR --org ORG (--from TIME | --from-event N) [--to ... ]
int RunDiff(const std::vector<std::string>& args);
// flagledger replay --data-dir DIR [--org ORG] [--as-of TIME | --as-of-event N]
int RunReplay(const std::vector<std::string>& args);
// flagledger verify --data-dir DIR
int RunVerify(const std::vector<std::string>& args);
// flagledger token create|list|revoke --data-dir DIR ... (create and revoke write: through a
// running server's spool, or by opening the log when no server runs)
int RunToken(const std::vector<std::string>& args);
// flagledger backup --data-dir DIR --to BACKUP_DIR | --list --to BACKUP_DIR (through a running
// server's spool, or by opening the log when no server runs)
int RunBackup(const std::vector<std::string>& args);
// flagledger restore --from BACKUP_DIR --data-dir DIR [--backup-id N] [--force]
int RunRestore(const std::vector<std::string>& args);
// flagledger cluster status --cluster etcd=URL[,URL...]
int RunCluster(const std::vector<std::string>& args);

}  // namespace flagledger
