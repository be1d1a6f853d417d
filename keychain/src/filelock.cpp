#include "filelock.h"

#include "azid/keychain/storagefailure.h"
#include "keychainlogging.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QFile>
#include <QMutex>
#include <QSet>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <time.h>
#include <unistd.h>

namespace azid::detail {

namespace {

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

QByteArray ownerLine()
{
    QByteArray program = QByteArrayLiteral("azid");
    if (const auto *app = QCoreApplication::instance()) {
        const QStringList arguments = app->arguments();
        if (!arguments.isEmpty())
            program = QFile::encodeName(arguments.first());
    }
    return QByteArray::number(qint64(::getpid())) + ' ' + program;
}

QByteArray readAll(int fd)
{
    QByteArray data;
    char buffer[512];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || data.size() > 4096)
            break;
        data.append(buffer, n);
    }
    return data;
}

// The pid written at the start of a lock file, or 0.
pid_t ownerPid(const QByteArray &contents)
{
    bool ok = false;
    const qint64 pid = contents.trimmed().split(' ').value(0).toLongLong(&ok);
    return ok && pid > 0 ? pid_t(pid) : 0;
}

bool processIsGone(pid_t pid)
{
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// A lock file nobody has written an owner into may belong to a process that is about to (it creates
// the file, then writes): only after this long without an owner and without a flock is it judged
// left behind by a process that died in between.
constexpr std::chrono::seconds OwnerlessLockAge{2};

bool isOld(const struct stat &info, std::chrono::seconds age)
{
    struct timespec now = {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return now.tv_sec - info.st_mtim.tv_sec > age.count();
}

// Removes the lock file if its owner is dead (or it has had no owner for long). The flock keeps two
// processes from both judging the same file stale, and the inode check keeps us from deleting a fresh
// lock that replaced it. A live holder (Azid, or msal-extensions with portalocker) keeps a flock.
bool removeIfStale(const QByteArray &path)
{
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT; // already gone: try again at once
    bool removed = false;
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        const QByteArray contents = readAll(fd);
        const pid_t pid = ownerPid(contents);
        struct stat opened = {}, current = {};
        const bool same = ::fstat(fd, &opened) == 0 && ::stat(path.constData(), &current) == 0 &&
                          opened.st_dev == current.st_dev && opened.st_ino == current.st_ino;
        if (same && pid != 0 && processIsGone(pid)) {
            qCWarning(lcKeychain) << "removing the stale lock file" << QFile::decodeName(path) << "of process"
                                  << pid;
            removed = ::unlink(path.constData()) == 0 || errno == ENOENT;
        } else if (same && contents.isEmpty() && isOld(opened, OwnerlessLockAge)) {
            qCWarning(lcKeychain) << "removing the lock file" << QFile::decodeName(path)
                                  << "that has had no owner for" << OwnerlessLockAge.count() << "s";
            removed = ::unlink(path.constData()) == 0 || errno == ENOENT;
        }
    }
    ::close(fd);
    return removed;
}

QString describeHolder(const QByteArray &path)
{
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return QString();
    const QByteArray contents = readAll(fd).trimmed();
    ::close(fd);
    return QString::fromLocal8Bit(contents.left(200));
}

QMutex heldMutex;
QSet<QString> &heldHere()
{
    static QSet<QString> held;
    return held;
}

} // namespace

bool FileLock::isHeldHere(const QString &lockPath)
{
    const QMutexLocker locker(&heldMutex);
    return heldHere().contains(lockPath);
}

Result<std::shared_ptr<FileLock>> FileLock::acquire(const QString &lockPath,
                                                    std::chrono::milliseconds timeout, const QString &what)
{
    const QByteArray path = QFile::encodeName(lockPath);
    const QDeadlineTimer deadline(timeout);
    // Short pauses: a holder keeps the lock for one merge and write (milliseconds).
    std::chrono::milliseconds pause(2);
    for (;;) {
        const int fd = ::open(path.constData(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) {
            // Fresh file: nobody else can hold its flock, but a holder of the OS lock alone (portalocker)
            // would, so do not insist.
            if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
                qCDebug(lcKeychain) << "flock on a fresh lock file failed:" << errnoText(errno);
            const QByteArray line = ownerLine();
            if (::write(fd, line.constData(), size_t(line.size())) != line.size())
                qCDebug(lcKeychain) << "could not write the owner into" << lockPath;
            return std::shared_ptr<FileLock>(new FileLock(lockPath, fd));
        }
        const int error = errno;
        if (error != EEXIST) {
            return storageError(
                StorageFailure::FileError,
                QStringLiteral(
                    "Cannot create the lock file %1: %2. Check that its folder exists and is writable.")
                    .arg(lockPath, errnoText(error)));
        }
        if (removeIfStale(path))
            continue;
        if (deadline.hasExpired()) {
            return storageError(
                StorageFailure::CacheLocked,
                QStringLiteral("%3 is locked by another process (lock file %1, held by \"%2\"). Try "
                               "again; if that process is no longer running, delete the lock file.")
                    .arg(lockPath, describeHolder(path), what));
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(25));
    }
}

namespace {

struct LaterLock
{
    QPromise<Result<std::shared_ptr<FileLock>>> promise;
    QString path;
    QString what;
    QDeadlineTimer deadline;
    std::chrono::milliseconds pause{2};
};

void tryLock(const std::shared_ptr<LaterLock> &attempt)
{
    auto locked = FileLock::acquire(attempt->path, std::chrono::milliseconds(0), attempt->what);
    if (locked || storageFailure(locked.error()) != StorageFailure::CacheLocked ||
        attempt->deadline.hasExpired()) {
        attempt->promise.addResult(std::move(locked));
        attempt->promise.finish();
        return;
    }
    const auto pause = attempt->pause;
    attempt->pause = std::min(attempt->pause * 2, std::chrono::milliseconds(25));
    QTimer::singleShot(pause, QCoreApplication::instance(), [attempt] { tryLock(attempt); });
}

} // namespace

QFuture<Result<std::shared_ptr<FileLock>>>
FileLock::acquireLater(const QString &lockPath, std::chrono::milliseconds timeout, const QString &what)
{
    if (!QCoreApplication::instance())
        return QtFuture::makeReadyFuture(acquire(lockPath, timeout, what));
    auto attempt = std::make_shared<LaterLock>();
    attempt->path = lockPath;
    attempt->what = what;
    attempt->deadline = QDeadlineTimer(timeout);
    attempt->promise.start();
    auto future = attempt->promise.future();
    tryLock(attempt);
    return future;
}

FileLock::FileLock(QString path, int fd) : m_path(std::move(path)), m_fd(fd)
{
    m_released->start();
    const QMutexLocker locker(&heldMutex);
    heldHere().insert(m_path);
}

FileLock::~FileLock()
{
    release();
}

void FileLock::release()
{
    if (m_fd < 0)
        return;
    // Delete while still holding the flock, so nobody judges the file stale in between.
    if (::unlink(QFile::encodeName(m_path).constData()) != 0 && errno != ENOENT && errno != EACCES)
        qCWarning(lcKeychain) << "could not delete the lock file" << m_path << ':' << errnoText(errno);
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
    m_fd = -1;
    {
        const QMutexLocker locker(&heldMutex);
        heldHere().remove(m_path);
    }
    m_released->finish();
}

} // namespace azid::detail
