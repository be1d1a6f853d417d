#include "appregistration.h"

#include "encoding.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <QCryptographicHash>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace azid::sandbox::appregistration {

namespace {

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

X509Ptr parseDer(const QByteArray &der)
{
    const auto *data = reinterpret_cast<const unsigned char *>(der.constData());
    return X509Ptr(d2i_X509(nullptr, &data, static_cast<long>(der.size())));
}

} // namespace

QList<QByteArray> certificatesFromPem(const QByteArray &pem, QString *error)
{
    QList<QByteArray> ders;
    BioPtr bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
    while (bio) {
        X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (!certificate)
            break;
        unsigned char *out = nullptr;
        const int length = i2d_X509(certificate.get(), &out);
        if (length <= 0)
            break;
        ders.append(QByteArray(reinterpret_cast<const char *>(out), length));
        OPENSSL_free(out);
    }
    ERR_clear_error(); // the loop ends on "no more certificates"
    if (ders.isEmpty())
        fail(error, u"no PEM CERTIFICATE block could be read"_s);
    return ders;
}

QByteArray x5t(const QByteArray &der)
{
    return encoding::base64Url(QCryptographicHash::hash(der, QCryptographicHash::Sha1));
}

QByteArray x5tS256(const QByteArray &der)
{
    return encoding::base64Url(QCryptographicHash::hash(der, QCryptographicHash::Sha256));
}

EvpPkeyPtr publicKey(const QByteArray &der)
{
    const X509Ptr certificate = parseDer(der);
    return EvpPkeyPtr(certificate ? X509_get_pubkey(certificate.get()) : nullptr);
}

std::optional<App> fromJson(const QJsonObject &body, QString *error)
{
    App app;
    app.clientId = body.value(u"client_id"_s).toString().toLower();
    app.name = body.value(u"name"_s).toString(app.clientId);
    app.isPublic = body.value(u"public"_s).toBool(false);
    app.family = body.value(u"family"_s).toString();
    app.secret = body.value(u"secret"_s).toString();
    if (app.clientId.isEmpty()) {
        fail(error, u"client_id is required"_s);
        return std::nullopt;
    }
    QStringList pems;
    if (body.contains(u"certificate"_s))
        pems.append(body.value(u"certificate"_s).toString());
    for (const QJsonValue &value : body.value(u"certificates"_s).toArray())
        pems.append(value.toString());
    for (const QString &pem : std::as_const(pems)) {
        QString problem;
        const QList<QByteArray> ders = certificatesFromPem(pem.toUtf8(), &problem);
        if (ders.isEmpty()) {
            fail(error, u"certificate: %1"_s.arg(problem));
            return std::nullopt;
        }
        app.certificates.append(ders);
    }
    if (app.isPublic && (!app.secret.isEmpty() || !app.certificates.isEmpty())) {
        fail(error, u"a public client has no secret or certificate"_s);
        return std::nullopt;
    }
    if (!app.isPublic && app.secret.isEmpty() && app.certificates.isEmpty()) {
        fail(error, u"a confidential app needs a secret or a certificate"_s);
        return std::nullopt;
    }
    return app;
}

QJsonObject toJson(const App &app)
{
    QJsonArray certificates;
    for (const QByteArray &der : app.certificates) {
        certificates.append(QJsonObject{{u"x5t"_s, QString::fromLatin1(x5t(der))},
                                        {u"x5t#S256"_s, QString::fromLatin1(x5tS256(der))}});
    }
    return QJsonObject{{u"client_id"_s, app.clientId},
                       {u"name"_s, app.name},
                       {u"public"_s, app.isPublic},
                       {u"family"_s, app.family},
                       {u"has_secret"_s, !app.secret.isEmpty()},
                       {u"certificates"_s, certificates}};
}

} // namespace azid::sandbox::appregistration
