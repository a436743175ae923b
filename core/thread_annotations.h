// Clang's thread-safety analysis (-Wthread-safety), as Abseil's and LevelDB's
// port/thread_annotations.h: members say which mutex guards them and functions which mutex they
// need, and a clang build checks every access. Under gcc the macros expand to nothing.
#pragma once

#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define FLAGLEDGER_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define FLAGLEDGER_THREAD_ANNOTATION(x)
#endif

#define CAPABILITY(x) FLAGLEDGER_THREAD_ANNOTATION(capability(x))
#define SCOPED_CAPABILITY FLAGLEDGER_THREAD_ANNOTATION(scoped_lockable)
#define GUARDED_BY(x) FLAGLEDGER_THREAD_ANNOTATION(guarded_by(x))
#define PT_GUARDED_BY(x) FLAGLEDGER_THREAD_ANNOTATION(pt_guarded_by(x))
#define REQUIRES(...) FLAGLEDGER_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) FLAGLEDGER_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define ACQUIRE(...) FLAGLEDGER_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) FLAGLEDGER_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) FLAGLEDGER_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) FLAGLEDGER_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) FLAGLEDGER_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS FLAGLEDGER_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace flagledger {

// std::mutex as a capability the analysis knows.
class CAPABILITY("mutex") Mutex {
 public:
  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }

 private:
  std::mutex mutex_;
};

// std::lock_guard for Mutex, known to the analysis.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~MutexLock() RELEASE() { mutex_.unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex& mutex_;
};

// std::shared_mutex as a capability: exclusive (lock) or shared (lock_shared).
class CAPABILITY("mutex") SharedMutex {
 public:
  void lock() ACQUIRE() { mutex_.lock(); }
  void unlock() RELEASE() { mutex_.unlock(); }
  void lock_shared() ACQUIRE_SHARED() { mutex_.lock_shared(); }
  void unlock_shared() RELEASE_SHARED() { mutex_.unlock_shared(); }

 private:
  std::shared_mutex mutex_;
};

// Holds a SharedMutex exclusively for its scope.
class SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex& mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~WriterMutexLock() RELEASE() { mutex_.unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex& mutex_;
};

// Holds a SharedMutex shared for its scope.
class SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex& mutex) ACQUIRE_SHARED(mutex) : mutex_(mutex) {
    mutex_.lock_shared();
  }
  ~ReaderMutexLock() RELEASE() { mutex_.unlock_shared(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex& mutex_;
};

}  // namespace flagledger
