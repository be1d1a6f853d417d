// azid-cli git-credential (git-credential-azid): a git credential helper that answers `get` with an
// Entra access token for Azure DevOps as the password, ignores `store`, and on `erase` drops the
// cached token so that the next `get` brings a fresh one. git speaks to it in key=value lines on
// stdin and stdout, ended by an empty line or the end of input.
#include "commands.h"
#include "devtools.h"
#include "output.h"
#include "profile.h"

#include <QDateTime>
#include <QHash>
#include <QUrl>

#include <cstdio>
#include <string>

namespace azid::cli {
namespace {

// Azure DevOps' resource, the default scope of this helper.
const QString AzureDevOpsScope = QStringLiteral("499b84ac-1321-427f-aa17-267ca6975798/.default");

// What git says about the credential it wants: protocol, host, path, username, password, ...
QHash<QString, QString> readGitAttributes()
{
    QHash<QString, QString> attributes;
    std::string line;
    for (int c = std::getchar(); c != EOF; c = std::getchar()) {
        if (c != '\n') {
            line.push_back(static_cast<char>(c));
            continue;
        }
        if (line.empty())
            break;
        const QString text = QString::fromStdString(line);
        const qsizetype equals = text.indexOf(QLatin1Char('='));
        if (equals > 0)
            attributes.insert(text.left(equals), text.mid(equals + 1));
        line.clear();
    }
    return attributes;
}

int answerGet(const Arguments &a, Profile &profile, const QHash<QString, QString> &request)
{
    // Tokens go only over TLS: for anything else git asks its other helpers, or the person.
    if (request.value(QStringLiteral("protocol")) != QStringLiteral("https"))
        return ExitSuccess;
    const TokenResult token = accountToken(a, profile);
    if (!token.ok())
        return fail(token.error(), a);
    // Azure DevOps takes a bearer token as the password of Basic authentication with any user name.
    QString username = request.value(QStringLiteral("username"));
    if (username.isEmpty()) {
        const auto account = profile.select(a.account);
        username = account.ok() ? account.value().record.username : QStringLiteral("azid");
    }
    // A line break in it would be a line of the protocol.
    printResult("username=" + terminalSafe(username).toUtf8() + "\npassword=" + token.value().token.reveal() +
                "\npassword_expiry_utc=" + QByteArray::number(token.value().expiresOn));
    return ExitSuccess;
}

// git says the password failed: the cached token for this account and scope goes.
int answerErase(const Arguments &a, Profile &profile)
{
    const auto account = profile.select(a.account);
    if (!account.ok())
        return fail(account.error(), a);
    if (const VoidResult loaded = profile.loadCaches(ProfileStorage::Caches::WithoutCae); !loaded.ok())
        return fail(loaded.error(), a);
    // The record names the issuer's host[:port]; the cache files tokens under the host alone.
    const AuthenticationRecord &record = account.value().record;
    const QString environment = QUrl(QStringLiteral("https://") + record.authority).host();
    if (!profile.cache()->removeAccessTokens(record.homeAccountId, environment, a.scopes))
        return ExitSuccess;
    if (const VoidResult saved = profile.saveCaches(); !saved.ok())
        return fail(saved.error(), a);
    return ExitSuccess;
}

} // namespace

int gitCredential(const Arguments &arguments, Profile &profile)
{
    Arguments a = arguments;
    if (a.scopes.isEmpty())
        a.scopes = {AzureDevOpsScope};
    const QHash<QString, QString> request = readGitAttributes();
    if (a.subcommand == QStringLiteral("get"))
        return answerGet(a, profile, request);
    if (a.subcommand == QStringLiteral("erase"))
        return answerErase(a, profile);
    // store, and any operation a later git may add: nothing to do.
    return ExitSuccess;
}

} // namespace azid::cli
