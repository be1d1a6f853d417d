#include "encoding.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QRandomGenerator>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace azid::sandbox::encoding {

QByteArray base64Url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray base64UrlDecode(const QByteArray &text)
{
    return QByteArray::fromBase64(text, QByteArray::Base64UrlEncoding);
}

QByteArray sha256(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256);
}

QByteArray randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    auto *generator = QRandomGenerator::system();
    for (char &byte : bytes)
        byte = static_cast<char>(generator->bounded(256));
    return bytes;
}

QString randomToken(int byteCount)
{
    return QString::fromLatin1(base64Url(randomBytes(byteCount)));
}

QString randomUserCode(int length)
{
    static constexpr char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    constexpr int alphabetSize = static_cast<int>(sizeof(alphabet)) - 1;
    QString code;
    code.reserve(length);
    auto *generator = QRandomGenerator::system();
    for (int i = 0; i < length; ++i)
        code.append(QLatin1Char(alphabet[generator->bounded(alphabetSize)]));
    return code;
}

QString newGuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString stableGuid(const QByteArray &seed)
{
    QByteArray bytes = sha256(seed).left(16);
    // Mark it as a name-based (version 5 style) RFC 4122 UUID so it looks like any other GUID.
    bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x50);
    bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
    return QUuid::fromRfc4122(bytes).toString(QUuid::WithoutBraces);
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 nowSecs()
{
    return QDateTime::currentSecsSinceEpoch();
}

QString entraTimestamp()
{
    return QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd HH:mm:ss"_s) + u'Z';
}

} // namespace azid::sandbox::encoding
