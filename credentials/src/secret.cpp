#include "azid/secret.h"

#include <openssl/crypto.h>

namespace azid {

void scrub(QByteArray &bytes)
{
    if (!bytes.isEmpty() && !bytes.isDetached()) {
        // Shared data belongs to other copies too; only drop our reference.
        bytes = QByteArray();
        return;
    }
    if (!bytes.isEmpty())
        OPENSSL_cleanse(bytes.data(), static_cast<size_t>(bytes.size()));
    bytes.clear();
}

void scrub(QString &text)
{
    if (!text.isEmpty() && text.isDetached())
        OPENSSL_cleanse(text.data(), static_cast<size_t>(text.size()) * sizeof(QChar));
    text.clear();
}

Secret &Secret::operator=(const Secret &other)
{
    if (this != &other) {
        scrub(m_bytes);
        m_bytes = other.m_bytes;
    }
    return *this;
}

Secret &Secret::operator=(Secret &&other) noexcept
{
    if (this != &other) {
        scrub(m_bytes);
        m_bytes = std::move(other.m_bytes);
    }
    return *this;
}

Secret::~Secret()
{
    scrub(m_bytes);
}

QString Secret::redacted() const
{
    return QStringLiteral("<redacted: %1 bytes>").arg(m_bytes.size());
}

void Secret::clear()
{
    scrub(m_bytes);
}

bool operator==(const Secret &a, const Secret &b)
{
    return a.m_bytes.size() == b.m_bytes.size() && CRYPTO_memcmp(a.m_bytes.constData(), b.m_bytes.constData(),
                                                                 static_cast<size_t>(a.m_bytes.size())) == 0;
}

} // namespace azid
