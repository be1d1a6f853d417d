// The encrypted token cache file (keychain/src/encryptedcachefile.cpp): its header and framing as
// read from disk, whatever another program or a damaged disk left there. The key is fixed; the
// first byte chooses between bytes as they are (header, version, nonce, tag, lengths) and bytes
// encrypted properly first, so that the decrypting path runs too.

#include "azid/keychain/encryptedcachefile.h"
#include "fuzzing.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace azid;

namespace {
const Secret &key()
{
    static const Secret fixed(QByteArray(EncryptedCacheFile::KeySize, '\x2a'));
    return fixed;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray payload = fuzz::bytes(data + 1, size - 1);
    if (data[0] & 1) {
        const QByteArray encrypted = EncryptedCacheFile::encrypt(Secret(payload), key());
        const auto decrypted = EncryptedCacheFile::decrypt(encrypted, key());
        AZID_FUZZ_CHECK(decrypted && decrypted->reveal() == payload);
        // One flipped bit anywhere is refused.
        QByteArray damaged = encrypted;
        const qsizetype at =
            static_cast<qsizetype>(payload.size() > 0 ? static_cast<std::uint8_t>(payload[0]) : 0) %
            damaged.size();
        damaged[at] = static_cast<char>(damaged[at] ^ 0x01);
        AZID_FUZZ_CHECK(!EncryptedCacheFile::decrypt(damaged, key()));
        return 0;
    }
    (void)EncryptedCacheFile::decrypt(payload, key());
    (void)EncryptedCacheFile::decrypt(payload, Secret(QByteArray(3, 'k'))); // a key of the wrong size

    // The same bytes as a file: read() and isFromNewerVersion(), leaving a damaged file where it is.
    static QTemporaryDir folder;
    const QString path = QDir(folder.path()).filePath(QStringLiteral("cache.bin"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 0;
    file.write(payload);
    file.close();
    const EncryptedCacheFile cacheFile(path);
    const auto read = cacheFile.read(key(), EncryptedCacheFile::OnDamage::Keep);
    const bool newer = cacheFile.isFromNewerVersion();
    AZID_FUZZ_CHECK(!newer || !read.ok());
    return 0;
}
