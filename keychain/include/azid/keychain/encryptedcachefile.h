#pragma once

#include "azid/result.h"
#include "azid/secret.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace azid {

// One version of a file on disk. An atomic replacement gives the file a new inode; a rewrite in
// place changes its size or modification time.
struct FileStamp
{
    bool exists = false;
    quint64 device = 0;
    quint64 inode = 0;
    qint64 size = 0;
    qint64 modifiedNs = 0;

    static FileStamp of(const QString &path);
    friend bool operator==(const FileStamp &, const FileStamp &) = default;
};

// A token cache file encrypted with AES-256-GCM:
//   "AZIDC1" | version (1) | 12-byte random nonce | ciphertext | 16-byte tag
// with the 7-byte header as additional authenticated data. The 32-byte key lives elsewhere (the
// keychain); this class only reads and writes the file. Everything here is synchronous local file
// I/O. Writers hold the cross-process lock (lockFilePath()); readers need none, because the file is
// only ever replaced whole.
class EncryptedCacheFile
{
public:
    static constexpr qsizetype KeySize = 32;
    static constexpr char Version = 1;

    enum class OnDamage {
        MoveAside, // rename a file that cannot be decrypted to "<path>.corrupt-<UTC time>"
        Keep,      // leave it where it is
    };

    struct Contents
    {
        Secret plaintext;
        FileStamp stamp; // of the file that was read
    };

    explicit EncryptedCacheFile(QString path);

    const QString &path() const { return m_path; }
    // msal-extensions' convention: the persistence path + ".lockfile".
    QString lockFilePath() const { return m_path + QStringLiteral(".lockfile"); }
    FileStamp stamp() const { return FileStamp::of(m_path); }

    // The decrypted contents, or an empty optional when there is no file. A file that cannot be
    // decrypted (damaged, truncated, written with another key) is an error that says where it was
    // kept; a file of a newer format is an error and is left alone.
    Result<std::optional<Contents>> read(const Secret &key, OnDamage onDamage = OnDamage::MoveAside) const;

    // Replaces the file atomically: a temporary file of mode 0600 in the same folder, fsync, rename,
    // fsync of the folder. Missing folders are created with mode 0700. Returns the new file's stamp.
    Result<FileStamp> write(const Secret &plaintext, const Secret &key) const;

    // Whether the file is of a format newer than this version reads (it is then left alone).
    bool isFromNewerVersion() const;

    // Creates the file's folder and missing parents, with mode 0700.
    VoidResult createFolder() const;

    // Renames the file to "<path>.corrupt-<yyyyMMddTHHmmssZ>" (plus "-N" if taken) and returns the new
    // path. Nothing is ever deleted.
    Result<QString> moveAside() const;

    // 32 random bytes; empty if the system could not provide them.
    static Secret generateKey();
    static QByteArray encrypt(const Secret &plaintext, const Secret &key);
    // Empty when the data is not this format, is damaged or was encrypted with another key.
    static std::optional<Secret> decrypt(const QByteArray &data, const Secret &key);

private:
    QString m_path;
};

} // namespace azid
