// DATA_DIR/log opened directly with RocksDB, every column family, for tests that damage a
// data directory on purpose. REQUIRES: no EventLog has it open.
#pragma once

#include <rocksdb/db.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace flagledger {

class RawLog {
 public:
  explicit RawLog(const std::string& data_dir) {
    std::string path = data_dir + "/log";
    std::vector<std::string> names;
    rocksdb::Status status = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    if (status.ok())
      status = rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &raw);
    if (!status.ok()) throw std::runtime_error(status.ToString());
    db_.reset(raw);
    for (std::size_t i = 0; i < names.size(); ++i) families_[names[i]] = handles[i];
  }
  ~RawLog() {
    for (auto& [name, handle] : families_)
      db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }

  void Put(const std::string& family, const std::string& key, const std::string& value) {
    Check(db_->Put(rocksdb::WriteOptions(), families_.at(family), key, value));
  }
  std::string Get(const std::string& family, const std::string& key) {
    std::string value;
    Check(db_->Get(rocksdb::ReadOptions(), families_.at(family), key, &value));
    return value;
  }
  void Delete(const std::string& family, const std::string& key) {
    Check(db_->Delete(rocksdb::WriteOptions(), families_.at(family), key));
  }
  // Every key and value of `family`, in key order.
  std::vector<std::pair<std::string, std::string>> Entries(const std::string& family) {
    std::vector<std::pair<std::string, std::string>> entries;
    std::unique_ptr<rocksdb::Iterator> it(
        db_->NewIterator(rocksdb::ReadOptions(), families_.at(family)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      entries.emplace_back(it->key().ToString(), it->value().ToString());
    }
    Check(it->status());
    return entries;
  }

 private:
  static void Check(const rocksdb::Status& status) {
    if (!status.ok()) throw std::runtime_error(status.ToString());
  }
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> families_;
};

}  // namespace flagledger
