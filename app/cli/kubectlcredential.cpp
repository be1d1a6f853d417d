// azid-cli kubectl-credential: a kubectl exec credential plugin. kubectl runs it with
// KUBERNETES_EXEC_INFO (an ExecCredential naming the apiVersion it speaks) and reads an ExecCredential
// with the token and its expiry from stdout.
#include "commands.h"
#include "devtools.h"
#include "output.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace azid::cli {
namespace {

const QString ExecCredentialV1 = QStringLiteral("client.authentication.k8s.io/v1");
const QString ExecCredentialV1Beta1 = QStringLiteral("client.authentication.k8s.io/v1beta1");

// The apiVersion kubectl asked for (v1beta1 when it says nothing, as kubectl before 1.11 did), or
// an error for one this plugin does not speak.
Result<QString> requestedApiVersion()
{
    const QByteArray info = qgetenv("KUBERNETES_EXEC_INFO");
    if (info.trimmed().isEmpty())
        return ExecCredentialV1Beta1;
    const QString version =
        QJsonDocument::fromJson(info).object().value(QStringLiteral("apiVersion")).toString();
    if (version == ExecCredentialV1 || version == ExecCredentialV1Beta1)
        return version;
    return AuthError::configuration(
        QStringLiteral("kubectl asks for an ExecCredential of apiVersion \"%1\"; azid-cli speaks %2 and %3 "
                       "(set apiVersion in the kubeconfig's exec section).")
            .arg(version, ExecCredentialV1, ExecCredentialV1Beta1));
}

QByteArray execCredential(const QString &apiVersion, const AccessTokenInfo &token)
{
    const QString expiry = QDateTime::fromSecsSinceEpoch(token.expiresOn, Qt::UTC).toString(Qt::ISODate);
    const QJsonObject status{{QStringLiteral("token"), token.token.revealString()},
                             {QStringLiteral("expirationTimestamp"), expiry}};
    return QJsonDocument(QJsonObject{{QStringLiteral("apiVersion"), apiVersion},
                                     {QStringLiteral("kind"), QStringLiteral("ExecCredential")},
                                     {QStringLiteral("spec"), QJsonObject()},
                                     {QStringLiteral("status"), status}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

int kubectlCredential(const Arguments &a, Profile &profile)
{
    const Result<QString> apiVersion = requestedApiVersion();
    if (!apiVersion.ok())
        return fail(apiVersion.error(), a);
    const TokenResult token = accountToken(a, profile);
    if (!token.ok())
        return fail(token.error(), a);
    printResult(execCredential(apiVersion.value(), token.value()));
    return ExitSuccess;
}

} // namespace azid::cli
