// The encrypted cache file: format, damage handling, permissions and atomic replacement.
#include "azid/boundedfile.h"
#include "azid/keychain/encryptedcachefile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <sys/stat.h>
#include <thread>

using namespace azid;

namespace {

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeFile(const QString &path, const QByteArray &data)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    QCOMPARE(file.write(data), data.size());
}

QStringList corruptCopies(const QString &path)
{
    const QFileInfo info(path);
    return QDir(info.path())
        .entryList({info.fileName() + QStringLiteral(".corrupt-*")}, QDir::Files, QDir::Name);
}

mode_t modeOf(const QString &path)
{
    struct stat st = {};
    ::stat(QFile::encodeName(path).constData(), &st);
    return st.st_mode & 07777;
}

const Secret plaintext =
    Secret::fromString(QStringLiteral("{\"RefreshToken\": {\"k\": {\"secret\": \"rt-plain\"}}}"));

} // namespace

class TestEncryptedCacheFile : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Secret m_key = EncryptedCacheFile::generateKey();

    QString freshPath(const QString &name) { return m_dir.filePath(name + QStringLiteral("/cache.bin")); }

    // A written file at a fresh path.
    EncryptedCacheFile writtenFile(const QString &name)
    {
        EncryptedCacheFile file(freshPath(name));
        const auto written = file.write(plaintext, m_key);
        if (!written)
            qWarning() << written.error().message;
        return file;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void roundTrip()
    {
        const EncryptedCacheFile file(freshPath(QStringLiteral("roundtrip")));
        const auto written = file.write(plaintext, m_key);
        QVERIFY(written);
        QCOMPARE(written.value(), file.stamp());
        const auto read = file.read(m_key);
        QVERIFY(read && read.value());
        QCOMPARE(read.value()->plaintext, plaintext);
        QCOMPARE(read.value()->stamp, written.value());
    }

    void format()
    {
        const EncryptedCacheFile file = writtenFile(QStringLiteral("format"));
        const QByteArray data = readFile(file.path());
        QVERIFY(data.startsWith("AZIDC1\x01"));
        QCOMPARE(data.size(), 7 + 12 + plaintext.size() + 16);
        QVERIFY(!data.contains("rt-plain"));
        // A fresh nonce each time: the same plaintext never encrypts the same way twice.
        QVERIFY(EncryptedCacheFile::encrypt(plaintext, m_key) !=
                EncryptedCacheFile::encrypt(plaintext, m_key));
        QCOMPARE(EncryptedCacheFile::generateKey().size(), EncryptedCacheFile::KeySize);
    }

    void missingFileIsEmpty()
    {
        const EncryptedCacheFile file(freshPath(QStringLiteral("missing")));
        const auto read = file.read(m_key);
        QVERIFY(read);
        QVERIFY(!read.value().has_value());
        QVERIFY(!file.stamp().exists);
    }

    // Decision: a file that cannot be decrypted is renamed, byte for byte, to <path>.corrupt-<time>; the
    // path is then free, and the next save writes a fresh file there without touching the kept copy.
    void damagedFileIsKeptAside_data()
    {
        QTest::addColumn<int>("offset");
        QTest::newRow("magic") << 0;
        QTest::newRow("version") << 6;
        QTest::newRow("nonce") << 10;
        QTest::newRow("ciphertext start") << 19;
        QTest::newRow("ciphertext middle") << 19 + int(plaintext.size()) / 2;
        QTest::newRow("tag") << -1;
    }

    void damagedFileIsKeptAside()
    {
        QFETCH(int, offset);
        const EncryptedCacheFile file = writtenFile(QStringLiteral("tamper-%1").arg(offset));
        QByteArray data = readFile(file.path());
        data[offset < 0 ? data.size() - 1 : offset] ^= 0x01;
        writeFile(file.path(), data);

        const auto read = file.read(m_key);
        QVERIFY(!read);
        const QString message = read.error().message;
        QVERIFY2(
            message.startsWith(QStringLiteral("The token cache file %1 cannot be decrypted: it is damaged or "
                                              "was written with another key. It has been kept as %1.corrupt-")
                                   .arg(file.path())),
            qPrintable(message));
        QVERIFY(message.endsWith(QStringLiteral("; sign in again.")));
        const QStringList kept = corruptCopies(file.path());
        QCOMPARE(kept.size(), 1);
        QVERIFY(message.contains(kept.first()));
        QCOMPARE(readFile(QFileInfo(file.path()).dir().filePath(kept.first())), data);
        QVERIFY(!QFile::exists(file.path()));

        // A following save writes a fresh file and leaves the damaged copy alone.
        QVERIFY(file.write(plaintext, m_key));
        QCOMPARE(file.read(m_key).value()->plaintext, plaintext);
        QCOMPARE(readFile(QFileInfo(file.path()).dir().filePath(kept.first())), data);
    }

    void truncatedFile_data()
    {
        QTest::addColumn<int>("length");
        QTest::newRow("empty") << 0;
        QTest::newRow("part of the magic") << 3;
        QTest::newRow("header only") << 7;
        QTest::newRow("no tag") << 7 + 12 + int(plaintext.size());
        QTest::newRow("one byte short") << -1;
    }

    void truncatedFile()
    {
        QFETCH(int, length);
        const EncryptedCacheFile file = writtenFile(QStringLiteral("truncated%1").arg(length));
        const QByteArray data = readFile(file.path());
        writeFile(file.path(), data.left(length < 0 ? data.size() - 1 : length));
        const auto read = file.read(m_key);
        QVERIFY(!read);
        QVERIFY(read.error().message.contains(QStringLiteral("cannot be decrypted")));
        QCOMPARE(corruptCopies(file.path()).size(), 1);
        QVERIFY(!QFile::exists(file.path()));
    }

    void oversizedFileIsRefusedAndKept()
    {
        // A cache file far larger than any cache (another program's file at that path, a runaway
        // writer) is not read into memory: the error says so, and the file stays where it is.
        const EncryptedCacheFile file = writtenFile(QStringLiteral("oversized"));
        QFile grown(file.path());
        QVERIFY(grown.resize(azid::MaxCacheFileBytes + 1)); // sparse: no disk space used
        const auto read = file.read(m_key);
        QVERIFY(!read);
        QVERIFY2(read.error().message.contains(QStringLiteral("is larger than 262144 KiB")),
                 qPrintable(read.error().message));
        QVERIFY(read.error().message.contains(file.path()));
        QCOMPARE(QFileInfo(file.path()).size(), azid::MaxCacheFileBytes + 1);
        QVERIFY(corruptCopies(file.path()).isEmpty());
    }

    void wrongKey()
    {
        const EncryptedCacheFile file = writtenFile(QStringLiteral("wrongkey"));
        const auto read = file.read(EncryptedCacheFile::generateKey());
        QVERIFY(!read);
        QVERIFY(read.error().message.contains(QStringLiteral("written with another key")));
        QCOMPARE(corruptCopies(file.path()).size(), 1);
    }

    void keepLeavesTheFileInPlace()
    {
        const EncryptedCacheFile file = writtenFile(QStringLiteral("keep"));
        const QByteArray before = readFile(file.path());
        QVERIFY(!file.read(EncryptedCacheFile::generateKey(), EncryptedCacheFile::OnDamage::Keep));
        QCOMPARE(readFile(file.path()), before);
        QVERIFY(corruptCopies(file.path()).isEmpty());
    }

    void damagedTwiceKeepsBothCopies()
    {
        const EncryptedCacheFile file = writtenFile(QStringLiteral("twice"));
        writeFile(file.path(), "first damage");
        QVERIFY(!file.read(m_key));
        writeFile(file.path(), "second damage");
        QVERIFY(!file.read(m_key));
        const QStringList kept = corruptCopies(file.path());
        QCOMPARE(kept.size(), 2);
        QStringList contents;
        for (const QString &name : kept)
            contents << QString::fromLatin1(readFile(QFileInfo(file.path()).dir().filePath(name)));
        contents.sort();
        QCOMPARE(contents, (QStringList{QStringLiteral("first damage"), QStringLiteral("second damage")}));
    }

    void newerFormatIsLeftAlone()
    {
        const EncryptedCacheFile file = writtenFile(QStringLiteral("newer"));
        QByteArray data = readFile(file.path());
        data[6] = 2;
        writeFile(file.path(), data);
        const auto read = file.read(m_key);
        QVERIFY(!read);
        QVERIFY(read.error().message.contains(QStringLiteral("newer version of Azid")));
        QCOMPARE(readFile(file.path()), data);
        QVERIFY(corruptCopies(file.path()).isEmpty());
    }

    void modes()
    {
        // Whatever the umask, the file is 0600 and the folders Azid creates are 0700.
        const mode_t previous = ::umask(0);
        const EncryptedCacheFile file(m_dir.filePath(QStringLiteral("modes/a/b/cache.bin")));
        const auto written = file.write(plaintext, m_key);
        ::umask(previous);
        QVERIFY(written);
        QCOMPARE(modeOf(file.path()), mode_t(0600));
        QCOMPARE(modeOf(m_dir.filePath(QStringLiteral("modes/a/b"))), mode_t(0700));
        QCOMPARE(modeOf(m_dir.filePath(QStringLiteral("modes/a"))), mode_t(0700));
        QCOMPARE(modeOf(m_dir.filePath(QStringLiteral("modes"))), mode_t(0700));
    }

    void noTemporaryFilesLeft()
    {
        const EncryptedCacheFile file(freshPath(QStringLiteral("tidy")));
        for (int i = 0; i < 5; ++i)
            QVERIFY(file.write(plaintext, m_key));
        QCOMPARE(QDir(QFileInfo(file.path()).path()).entryList(QDir::Files | QDir::Hidden),
                 QStringList{QStringLiteral("cache.bin")});
    }

    // A reader never sees a partial file: while one thread keeps replacing the file with caches of
    // different sizes, every read in another thread decrypts to one of them.
    void atomicReplace()
    {
        const EncryptedCacheFile file(freshPath(QStringLiteral("atomic")));
        const Secret small(QByteArray(64 * 1024, 'a'));
        const Secret large(QByteArray(2 * 1024 * 1024, 'b'));
        QVERIFY(file.write(small, m_key));

        std::atomic<bool> writerDone{false};
        std::atomic<int> writeFailures{0};
        std::thread writer([&] {
            for (int i = 0; i < 40; ++i) {
                if (!file.write(i % 2 ? small : large, m_key))
                    ++writeFailures;
            }
            writerDone = true;
        });
        int reads = 0;
        int bad = 0;
        while (!writerDone || reads < 10) {
            const auto read = file.read(m_key, EncryptedCacheFile::OnDamage::Keep);
            ++reads;
            if (!read || !read.value() ||
                (read.value()->plaintext != small && read.value()->plaintext != large))
                ++bad;
        }
        writer.join();
        QCOMPARE(writeFailures.load(), 0);
        QCOMPARE(bad, 0);
        QVERIFY(corruptCopies(file.path()).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestEncryptedCacheFile)
#include "tst_encryptedcachefile.moc"
