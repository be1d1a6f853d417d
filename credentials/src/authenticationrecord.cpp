#include "azid/authenticationrecord.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace azid {
namespace {

// Python's json.dumps with ensure_ascii=True: escapes quotes, backslashes, control characters and
// everything outside ASCII (as UTF-16 \uXXXX units).
QString pythonJsonString(const QString &text)
{
    QString out;
    out.reserve(text.size() + 2);
    out += QLatin1Char('"');
    for (QChar c : text) {
        const char16_t u = c.unicode();
        switch (u) {
        case u'"':
            out += QStringLiteral("\\\"");
            break;
        case u'\\':
            out += QStringLiteral("\\\\");
            break;
        case u'\n':
            out += QStringLiteral("\\n");
            break;
        case u'\r':
            out += QStringLiteral("\\r");
            break;
        case u'\t':
            out += QStringLiteral("\\t");
            break;
        case u'\b':
            out += QStringLiteral("\\b");
            break;
        case u'\f':
            out += QStringLiteral("\\f");
            break;
        default:
            if (u < 0x20 || u > 0x7e)
                out += QStringLiteral("\\u%1").arg(static_cast<uint>(u), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    out += QLatin1Char('"');
    return out;
}

const char *const kFields[] = {"authority", "clientId", "homeAccountId", "tenantId", "username"};

} // namespace

QString AuthenticationRecord::serialize() const
{
    const QString values[] = {authority, clientId, homeAccountId, tenantId, username};
    QString out = QStringLiteral("{");
    for (int i = 0; i < 5; ++i) {
        out += QLatin1Char('"') + QLatin1String(kFields[i]) + QStringLiteral("\": ") +
               pythonJsonString(values[i]) + QStringLiteral(", ");
    }
    out += QStringLiteral("\"version\": \"1.0\"}");
    return out;
}

Result<AuthenticationRecord> AuthenticationRecord::deserialize(const QString &json)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        return AuthError::unavailable(QStringLiteral("This is not an authentication record: it is not a JSON "
                                                     "object (%1).")
                                          .arg(parseError.errorString()));
    }
    const QJsonObject object = doc.object();
    const QJsonValue version = object.value(QStringLiteral("version"));
    if (!version.isString() || version.toString() != QStringLiteral("1.0")) {
        return AuthError::unavailable(
            QStringLiteral("Unsupported authentication record version %1: only \"1.0\" is understood. "
                           "Export the record again with a matching version of Azid or azure-identity.")
                .arg(version.isUndefined()
                         ? QStringLiteral("(missing)")
                         : QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("v"), version}})
                                                 .toJson(QJsonDocument::Compact))
                               .mid(5)
                               .chopped(1)));
    }
    QString values[5];
    for (int i = 0; i < 5; ++i) {
        const QJsonValue value = object.value(QLatin1String(kFields[i]));
        if (!value.isString()) {
            return AuthError::unavailable(
                QStringLiteral("The authentication record has no \"%1\" text field; it is incomplete.")
                    .arg(QLatin1String(kFields[i])));
        }
        values[i] = value.toString();
    }
    return AuthenticationRecord{values[0], values[1], values[2], values[3], values[4]};
}

} // namespace azid
