// msal-extensions' lock file: created and removed, excludes others, recovered from dead holders.
#include "azid/keychain/storagefailure.h"
#include "filelock.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

using namespace azid;
using azid::detail::FileLock;
using namespace std::chrono_literals;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The pid of a process that has exited and been reaped.
pid_t deadPid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
}

} // namespace

class TestFileLock : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;

    QString lockPath() { return m_dir.filePath(QStringLiteral("cache%1.bin.lockfile").arg(++m_counter)); }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void createdWithOwnerAndRemovedOnRelease()
    {
        const QString path = lockPath();
        {
            const auto lock = FileLock::acquire(path, 1s);
            QVERIFY(lock);
            QVERIFY(QFile::exists(path));
            const QByteArray expected = QByteArray::number(qint64(::getpid())) + ' ' +
                                        QFile::encodeName(QCoreApplication::arguments().first());
            QCOMPARE(readFile(path), expected);
            struct stat info = {};
            QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
            QCOMPARE(info.st_mode & 0777, mode_t(0600));
            lock.value()->release();
            QVERIFY(!QFile::exists(path));
        }
        // Released by the destructor as well.
        {
            const auto lock = FileLock::acquire(path, 1s);
            QVERIFY(lock);
        }
        QVERIFY(!QFile::exists(path));
    }

    void heldLockExcludesOthers()
    {
        const QString path = lockPath();
        const auto first = FileLock::acquire(path, 1s);
        QVERIFY(first);
        const auto second = FileLock::acquire(path, 200ms);
        QVERIFY(!second);
        QVERIFY2(second.error().message.contains(path), qPrintable(second.error().message));
        QVERIFY(second.error().message.contains(QString::number(::getpid())));
        QVERIFY(QFile::exists(path)); // the holder's lock is untouched
        first.value()->release();
        QVERIFY(FileLock::acquire(path, 1s));
    }

    void staleLockOfDeadProcessIsRecovered()
    {
        const QString path = lockPath();
        QFile stale(path);
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.write(QByteArray::number(qint64(deadPid())) + " /usr/bin/python3");
        stale.close();

        const auto lock = FileLock::acquire(path, 1s);
        QVERIFY2(lock, lock ? "" : qPrintable(lock.error().message));
        QVERIFY(readFile(path).startsWith(QByteArray::number(qint64(::getpid())) + ' '));
    }

    // A holder that crashes leaves its lock file; its flock goes with it, and its pid is gone.
    void crashedHolderIsRecovered()
    {
        const QString path = lockPath();
        const QByteArray nativePath = QFile::encodeName(path);
        int ready[2];
        QCOMPARE(::pipe(ready), 0);
        const pid_t holder = ::fork();
        if (holder == 0) {
            const int fd = ::open(nativePath.constData(), O_CREAT | O_EXCL | O_WRONLY, 0600);
            ::flock(fd, LOCK_EX);
            const QByteArray line = QByteArray::number(qint64(::getpid())) + " holder";
            (void)!::write(fd, line.constData(), size_t(line.size()));
            (void)!::write(ready[1], "x", 1);
            ::pause();
            ::_exit(0);
        }
        char byte = 0;
        QCOMPARE(::read(ready[0], &byte, 1), ssize_t(1));
        ::close(ready[0]);
        ::close(ready[1]);

        QVERIFY(!FileLock::acquire(path, 200ms)); // alive: it is respected
        ::kill(holder, SIGKILL);
        ::waitpid(holder, nullptr, 0);
        QVERIFY(QFile::exists(path));
        const auto lock = FileLock::acquire(path, 1s);
        QVERIFY(lock);
    }

    // A holder that died between creating the lock file and writing its pid leaves it empty: taken over
    // once it is old and nobody holds its flock; a fresh empty one (its creator about to write) is not.
    void ownerlessLockIsRecoveredOnceOld()
    {
        const QString path = lockPath();
        QFile empty(path);
        QVERIFY(empty.open(QIODevice::WriteOnly));
        empty.close();
        QVERIFY(!FileLock::acquire(path, 200ms));
        QVERIFY(QFile::exists(path));

        struct timespec times[2] = {};
        ::clock_gettime(CLOCK_REALTIME, &times[0]);
        times[0].tv_sec -= 60;
        times[1] = times[0];
        QCOMPARE(::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, 0), 0);
        const auto lock = FileLock::acquire(path, 1s);
        QVERIFY2(lock, lock ? "" : qPrintable(lock.error().message));
        QVERIFY(readFile(path).startsWith(QByteArray::number(qint64(::getpid())) + ' '));
    }

    void unreadableOwnerIsNotTakenOver()
    {
        // Without a pid there is no telling whether the owner is alive: wait, then say what to do.
        const QString path = lockPath();
        QFile odd(path);
        QVERIFY(odd.open(QIODevice::WriteOnly));
        odd.write("not a pid");
        odd.close();
        const auto lock = FileLock::acquire(path, 200ms);
        QVERIFY(!lock);
        QVERIFY(lock.error().message.contains(QStringLiteral("delete the lock file")));
        QCOMPARE(storageFailure(lock.error()), StorageFailure::CacheLocked);
        QCOMPARE(readFile(path), QByteArray("not a pid"));
    }

    void missingFolderIsAnError()
    {
        const auto lock = FileLock::acquire(m_dir.filePath(QStringLiteral("no/such/folder/x.lockfile")), 1s);
        QVERIFY(!lock);
        QVERIFY(lock.error().message.contains(QStringLiteral("Cannot create the lock file")));
    }
};

QTEST_GUILESS_MAIN(TestFileLock)
#include "tst_filelock.moc"
