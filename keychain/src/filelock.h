#pragma once

#include "azid/result.h"

#include <QFuture>
#include <QPromise>
#include <QString>

#include <chrono>
#include <memory>

namespace azid::detail {

// msal-extensions' cross-process lock, so that Azid, MSAL and azure.identity exclude each other: the
// lock file is created with O_CREAT|O_EXCL and holds "<pid> <argv0>"; the holder also keeps an
// exclusive flock() on it. Released by deleting the file (then unlocking).
//
// A lock file left by a process that no longer runs (its pid is gone) is taken over, and so is an
// empty one (its creator died before writing its pid) once it is two seconds old and nobody holds
// its flock. Waiting for a live holder blocks the calling thread in short sleeps, at most `timeout`;
// then the error says who holds it (StorageFailure::CacheLocked).
class FileLock
{
public:
    // `what` names the locked thing in the error ("The token cache", "The account list").
    static Result<std::shared_ptr<FileLock>> acquire(const QString &lockPath,
                                                     std::chrono::milliseconds timeout,
                                                     const QString &what = QStringLiteral("The token cache"));
    // The same without blocking the thread: while another process holds the lock, tries again from the
    // event loop (of the application's thread) until `timeout`. Without an application, blocks.
    static QFuture<Result<std::shared_ptr<FileLock>>>
    acquireLater(const QString &lockPath, std::chrono::milliseconds timeout, const QString &what);

    ~FileLock();
    FileLock(const FileLock &) = delete;
    FileLock &operator=(const FileLock &) = delete;

    // Whether a FileLock of this process holds `lockPath` now (acquiring it again would wait for
    // ourselves).
    static bool isHeldHere(const QString &lockPath);

    const QString &path() const { return m_path; }
    // Early release; the destructor does it otherwise. Idempotent.
    void release();
    // Finishes when the lock is released.
    QFuture<void> released() const { return m_released->future(); }

private:
    FileLock(QString path, int fd);

    QString m_path;
    int m_fd = -1;
    std::shared_ptr<QPromise<void>> m_released = std::make_shared<QPromise<void>>();
};

} // namespace azid::detail
