#include "infra/rocksdb_write_model.hpp"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <charconv>

#include "infra/rocksdb_support.hpp"

namespace clientele::infra {
namespace {

using commands::Lookup;

void append_big_endian(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::string stream_prefix(std::string_view stream) {
  std::string key = "s";
  key.append(stream);
  key.push_back('\0');
  return key;
}

std::string event_key(std::string_view stream, std::uint64_t seq) {
  auto key = stream_prefix(stream);
  append_big_endian(key, seq, 8);
  return key;
}

std::string partition_key(events::Partition partition) {
  std::string key = "p";
  append_big_endian(key, static_cast<std::uint32_t>(partition.value), 4);
  return key;
}

std::string lookup_key(Lookup lookup, std::string_view key) {
  std::string out = "l";
  out.push_back(static_cast<char>('a' + static_cast<int>(lookup)));
  out.append(key);
  return out;
}

}  // namespace

struct RocksDbWriteModel::Impl {
  std::unique_ptr<rocksdb::DB> db;
};

Result<std::unique_ptr<RocksDbWriteModel>> RocksDbWriteModel::open(
    const std::filesystem::path& directory) {
  if (auto made = make_store_directory(directory); !made) return made.error();
  rocksdb::Options options;
  options.create_if_missing = true;
  options.keep_log_file_num = 5;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  rocksdb::DB* db = nullptr;
  const auto s = rocksdb::DB::Open(options, directory.string(), &db);
  if (!s.ok()) {
    return rocksdb_unavailable("cannot open the write-side store at " + directory.string(), s);
  }
  auto impl = std::make_unique<Impl>();
  impl->db.reset(db);
  return std::unique_ptr<RocksDbWriteModel>(new RocksDbWriteModel(std::move(impl)));
}

RocksDbWriteModel::RocksDbWriteModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksDbWriteModel::~RocksDbWriteModel() = default;

Result<events::Offset> RocksDbWriteModel::applied(events::Partition partition) {
  std::string value;
  const auto s = impl_->db->Get(rocksdb::ReadOptions(), partition_key(partition), &value);
  if (s.IsNotFound()) return events::Offset{0};
  if (!s.ok()) return rocksdb_unavailable("cannot read the write-side store", s);
  std::int64_t offset = 0;
  const auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), offset);
  if (err != std::errc() || end != value.data() + value.size()) {
    return make_error(errc::corrupt, "", "a partition's applied offset is malformed");
  }
  return events::Offset{offset};
}

Result<std::vector<std::string>> RocksDbWriteModel::stream(std::string_view stream) {
  const auto prefix = stream_prefix(stream);
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions()));
  std::vector<std::string> out;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out.push_back(it->value().ToString());
  }
  if (!it->status().ok())
    return rocksdb_unavailable("cannot read the write-side store", it->status());
  return out;
}

Result<std::optional<std::string>> RocksDbWriteModel::find(Lookup lookup, std::string_view key) {
  std::string value;
  const auto s = impl_->db->Get(rocksdb::ReadOptions(), lookup_key(lookup, key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return rocksdb_unavailable("cannot read the write-side store", s);
  return std::optional<std::string>(std::move(value));
}

Result<void> RocksDbWriteModel::scan(
    Lookup lookup, const std::function<void(std::string_view, std::string_view)>& visit) {
  const auto prefix = lookup_key(lookup, "");
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const auto key = it->key();
    visit(std::string_view(key.data() + prefix.size(), key.size() - prefix.size()),
          std::string_view(it->value().data(), it->value().size()));
  }
  if (!it->status().ok())
    return rocksdb_unavailable("cannot read the write-side store", it->status());
  return success();
}

Result<void> RocksDbWriteModel::commit(const commands::WriteModelBatch& batch) {
  rocksdb::WriteBatch write;
  for (const auto& event : batch.events) write.Put(event_key(event.stream, event.seq), event.wire);
  for (const auto& put : batch.puts) write.Put(lookup_key(put.lookup, put.key), put.value);
  for (const auto& del : batch.deletes) write.Delete(lookup_key(del.lookup, del.key));
  if (batch.applied) {
    write.Put(partition_key(batch.applied->partition), std::to_string(batch.applied->offset.value));
  }
  rocksdb::WriteOptions options;
  options.sync = batch.sync;
  const auto s = impl_->db->Write(options, &write);
  if (!s.ok()) return rocksdb_unavailable("cannot write the write-side store", s);
  return success();
}

}  // namespace clientele::infra
