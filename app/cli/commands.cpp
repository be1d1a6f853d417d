#include "commands.h"

#include "output.h"
#include "profile.h"
#include "servicecredential.h"
#include "storage.h"
#include "wait.h"

#include "azid/authorityhosts.h"
#include "azid/devicecodecredential.h"
#include "azid/interactivebrowsercredential.h"
#include "azid/usernamepasswordcredential.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QUrl>

#include <cstdio>
#include <termios.h>
#include <unistd.h>

namespace azid::cli {
namespace {

// Reads one line from stdin; with a terminal and no --password-stdin, without echo.
std::optional<Secret> readPassword(bool fromStdin)
{
    const bool terminal = isatty(STDIN_FILENO);
    if (!fromStdin && !terminal)
        return std::nullopt;
    termios saved{};
    if (terminal) {
        std::fprintf(stderr, "Password: ");
        std::fflush(stderr);
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    QByteArray line;
    for (int c = std::fgetc(stdin); c != EOF && c != '\n'; c = std::fgetc(stdin))
        line.append(static_cast<char>(c));
    if (line.endsWith('\r'))
        line.chop(1);
    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::fprintf(stderr, "\n");
    }
    Secret password(line);
    scrub(line);
    return password;
}

template <typename Options> Options credentialOptions(const Arguments &a, Profile &profile)
{
    Options o;
    o.authority = a.authority;
    o.tenantId = a.tenant;
    o.clientId = a.clientId;
    o.disableInstanceDiscovery = a.disableInstanceDiscovery;
    o.http.caBundleFile = a.caBundle;
    o.cache = profile.cache();
    o.caeCache = profile.caeCache();
    return o;
}

// Whether `authority` (a host or URL; empty: the public cloud) is a cloud whose Resource Manager scope
// the library knows.
bool isKnownCloud(const QString &authority)
{
    if (authority.isEmpty())
        return true;
    const QString host = authority.contains(QStringLiteral("://"))
                             ? QUrl(authority).host()
                             : authority.section(QLatin1Char('/'), 0, 0);
    return host.compare(AzureAuthorityHosts::AzurePublicCloud, Qt::CaseInsensitive) == 0 ||
           host.compare(AzureAuthorityHosts::AzureGovernment, Qt::CaseInsensitive) == 0 ||
           host.compare(AzureAuthorityHosts::AzureChina, Qt::CaseInsensitive) == 0;
}

QString describeAuthority(const Arguments &a)
{
    return a.authority.isEmpty() ? AzureAuthorityHosts::AzurePublicCloud : a.authority;
}

// Replaces `path` atomically with `data`, readable by its owner alone (records name accounts and
// tenants). Returns what went wrong, or nothing.
QString writeOwnerOnlyFile(const QString &path, const QByteArray &data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(data) != data.size() || !file.commit())
        return QStringLiteral("Cannot write %1: %2.").arg(path, file.errorString());
    return QString();
}

int fail(const AuthError &error, const Arguments &a)
{
    printError(error, a.errorFormat);
    return exitCodeFor(error);
}

int login(const Arguments &a, Profile &profile)
{
    if (const VoidResult loaded = profile.loadCaches(); !loaded.ok())
        return fail(loaded.error(), a);
    // Before anyone signs in: a sign-in that cannot be kept (a locked keychain) is not asked for.
    AuthError listError;
    const QList<StoredAccount> existing = profile.listAccounts(&listError);
    if (!listError.message.isEmpty())
        return fail(listError, a);

    std::unique_ptr<InteractiveCredential> credential;
    if (a.flow == QStringLiteral("browser")) {
        auto o = credentialOptions<InteractiveBrowserCredentialOptions>(a, profile);
        o.loginHint = a.loginHint;
        o.redirectUri = a.redirectUri;
        if (a.timeoutSeconds)
            o.timeout = std::chrono::seconds(*a.timeoutSeconds);
        const BrowserOpener system = systemBrowserOpener();
        o.openBrowser = [system](const QUrl &url) {
            printNote(
                QStringLiteral("Opening the sign-in page in your browser. If no browser opens, open this "
                               "address yourself:\n  ") +
                QString::fromUtf8(url.toEncoded()));
            if (!system(url))
                printNote(
                    QStringLiteral("(No browser could be started; waiting for the sign-in at the address "
                                   "above.)"));
            return true;
        };
        credential = std::make_unique<InteractiveBrowserCredential>(o);
    } else if (a.flow == QStringLiteral("device-code")) {
        auto o = credentialOptions<DeviceCodeCredentialOptions>(a, profile);
        if (a.timeoutSeconds)
            o.timeout = std::chrono::seconds(*a.timeoutSeconds);
        o.promptCallback = [](const QString &uri, const QString &code, const QDateTime &expiresOn) {
            printNote(QStringLiteral("To sign in, open %1 in a browser on any device and enter the code %2 "
                                     "(valid until %3).")
                          .arg(uri, code, expiresOn.toLocalTime().toString(QStringLiteral("HH:mm:ss"))));
        };
        credential = std::make_unique<DeviceCodeCredential>(o);
    } else {
        auto password = readPassword(a.passwordStdin);
        if (!password) {
            printUsageError(QStringLiteral("The password flow reads the password from a terminal or, with "
                                           "--password-stdin, from standard input."),
                            a.errorFormat);
            return ExitUsage;
        }
        auto o = credentialOptions<UsernamePasswordCredentialOptions>(a, profile);
        o.username = a.username;
        o.password = std::move(*password);
        credential = std::make_unique<UsernamePasswordCredential>(o);
    }

    // Without --scope: Resource Manager's scope on a cloud Azid knows, else the sign-in alone (a record
    // is all a login needs; `token --scope` asks for the resource later).
    const auto record =
        wait(a.scopes.isEmpty() && !isKnownCloud(a.authority) ? credential->authenticateIdentity()
                                                              : credential->authenticate(a.scopes));
    // Tokens are kept even when storing the account fails below: the next login finds them.
    const VoidResult saved = profile.saveCaches();
    if (!record.ok())
        return fail(record.error(), a);
    if (!saved.ok())
        return fail(saved.error(), a);

    AccountMetadata metadata;
    metadata.signInMethod = a.flow;
    metadata.authorityUrl = describeAuthority(a);
    metadata.lastSignIn = QDateTime::currentSecsSinceEpoch();
    metadata.caBundle = a.caBundle;
    metadata.disableInstanceDiscovery = a.disableInstanceDiscovery;
    bool hasDefault = false;
    bool wasShared = false;
    for (const StoredAccount &account : existing) {
        if (account.record.homeAccountId == record.value().homeAccountId)
            wasShared = account.metadata.shareWithAzureTools;
        else if (account.metadata.isDefault)
            hasDefault = true;
    }
    metadata.isDefault = a.setDefault || !hasDefault;
    // The tray app's "Share with Azure tools": once on, a sign-in again keeps it on.
    metadata.shareWithAzureTools = a.sharedCache || wasShared;
    if (const VoidResult stored = wait(profile.accounts().put(record.value(), metadata)); !stored.ok())
        return fail(stored.error(), a);
    if (metadata.shareWithAzureTools) {
        if (const VoidResult shared = publishToSharedCache(a, profile, record.value()); !shared.ok()) {
            AuthError error = shared.error();
            error.message = QStringLiteral("Signed in, but the shared token cache could not be written: ") +
                            error.message;
            return fail(error, a);
        }
    }
    printResult(formatRecord(record.value(), a.output));
    return ExitSuccess;
}

// A token from one of azure.identity's other credentials: nothing of the profile is involved.
int serviceToken(const Arguments &a)
{
    if (!serviceCredentialKinds().contains(a.credential)) {
        printUsageError(
            QStringLiteral("Unknown credential kind \"%1\"; the kinds are: account, shared-token-cache, %2.")
                .arg(a.credential, serviceCredentialKinds().join(QStringLiteral(", "))),
            a.errorFormat);
        return ExitUsage;
    }
    const auto credential = makeServiceCredential(a, QProcessEnvironment::systemEnvironment());
    if (!credential.ok())
        return fail(credential.error(), a);
    TokenRequestOptions request;
    request.scopes = a.scopes;
    request.claims = a.claims;
    request.tenantId = a.tenant;
    request.enableCae = a.enableCae;
    const TokenResult result = wait(credential.value()->getTokenInfo(request));
    if (!result.ok())
        return fail(result.error(), a);
    printResult(formatToken(result.value(), a.output));
    return ExitSuccess;
}

int token(const Arguments &a, Profile &profile)
{
    if (a.credential == QStringLiteral("shared-token-cache"))
        return sharedTokenCacheToken(a);
    if (!a.credential.isEmpty() && a.credential != QStringLiteral("account"))
        return serviceToken(a);
    const auto account = profile.select(a.account);
    if (!account.ok())
        return fail(account.error(), a);
    // A request reads and writes only the cache of its kind (with or without CAE).
    const auto caches = a.enableCae ? ProfileStorage::Caches::WithCae : ProfileStorage::Caches::WithoutCae;
    if (const VoidResult loaded = profile.loadCaches(caches); !loaded.ok())
        return fail(loaded.error(), a);

    const AccountMetadata &m = account.value().metadata;
    InteractiveBrowserCredentialOptions o;
    o.authenticationRecord = account.value().record;
    o.disableAutomaticAuthentication = true;              // a script never gets a browser window
    o.additionallyAllowedTenants = {QStringLiteral("*")}; // --tenant asks for that tenant explicitly
    o.disableInstanceDiscovery = a.disableInstanceDiscovery || m.disableInstanceDiscovery;
    o.http.caBundleFile = a.caBundle.isEmpty() ? m.caBundle : a.caBundle;
    o.cache = profile.cache();
    o.caeCache = profile.caeCache();
    InteractiveBrowserCredential credential(o);

    QString claims = a.claims;
    if (!claims.isEmpty() && !claims.trimmed().startsWith(QLatin1Char('{'))) {
        // A claims challenge as it appears in WWW-Authenticate: base64 of the JSON.
        claims = QString::fromUtf8(QByteArray::fromBase64(claims.toLatin1()));
    }
    TokenRequestOptions request;
    request.scopes = a.scopes;
    request.claims = claims;
    request.tenantId = a.tenant;
    request.enableCae = a.enableCae;
    const TokenResult result = wait(credential.getTokenInfo(request));
    const bool refreshed = profile.hasUnsavedChanges();
    const VoidResult saved = profile.saveCaches();
    if (!result.ok()) {
        AuthError error = result.error();
        if (error.kind == ErrorKind::AuthenticationRequired) {
            const QStringList flows{QStringLiteral("browser"), QStringLiteral("device-code"),
                                    QStringLiteral("password")};
            error.message +=
                QStringLiteral(" Run: azid-cli login --flow %1 --login-hint %2")
                    .arg(flows.contains(m.signInMethod) ? m.signInMethod : QStringLiteral("browser"),
                         account.value().record.username);
        }
        return fail(error, a);
    }
    if (!saved.ok())
        printNote(QStringLiteral("azid-cli: warning: the refreshed token could not be saved: ") +
                  saved.error().message);
    if (refreshed && m.shareWithAzureTools) {
        // As the tray app does: what a refresh brought reaches azure.identity's shared cache too.
        if (const VoidResult shared = publishToSharedCache(a, profile, account.value().record); !shared.ok())
            printNote(QStringLiteral("azid-cli: warning: the shared token cache could not be updated: ") +
                      shared.error().message);
    }
    printResult(formatToken(result.value(), a.output));
    return ExitSuccess;
}

QJsonObject accountJson(const StoredAccount &account)
{
    QJsonObject object = QJsonDocument::fromJson(account.record.serialize().toUtf8()).object();
    object.insert(QStringLiteral("signInMethod"), account.metadata.signInMethod);
    object.insert(QStringLiteral("lastSignIn"), account.metadata.lastSignIn);
    object.insert(QStringLiteral("isDefault"), account.metadata.isDefault);
    object.insert(QStringLiteral("shareWithAzureTools"), account.metadata.shareWithAzureTools);
    return object;
}

// Token caches an earlier version set aside while the keychain was locked, which its key still opens.
void tellRestorableCaches(Profile &profile)
{
    const Result<QStringList> copies = profile.restorableCaches();
    if (!copies)
        return;
    for (const QString &copy : copies.value()) {
        printNote(QStringLiteral("azid-cli: the token cache %1 was set aside earlier and can still be "
                                 "decrypted; restore its sign-ins with: azid-cli%2 accounts restore-cache "
                                 "--file '%1'")
                      .arg(copy, profile.name() == QStringLiteral("default")
                                     ? QString()
                                     : QStringLiteral(" --profile ") + profile.name()));
    }
}

int accounts(const Arguments &a, Profile &profile)
{
    if (a.subcommand == QStringLiteral("restore-cache")) {
        if (const VoidResult restored = profile.restoreCache(a.file); !restored.ok())
            return fail(restored.error(), a);
        printNote(
            QStringLiteral("Restored the sign-ins of %1 into the token cache, and deleted it.").arg(a.file));
        return ExitSuccess;
    }

    if (a.subcommand == QStringLiteral("list")) {
        AuthError error;
        const QList<StoredAccount> all = profile.listAccounts(&error);
        if (!error.message.isEmpty())
            return fail(error, a);
        tellRestorableCaches(profile);
        if (a.output == OutputFormat::Json) {
            QJsonArray array;
            for (const StoredAccount &account : all)
                array.append(accountJson(account));
            printResult(QJsonDocument(array).toJson(QJsonDocument::Compact));
        } else if (a.output == OutputFormat::Raw) {
            QStringList names;
            for (const StoredAccount &account : all)
                names << account.record.username;
            printResult(names.join(QLatin1Char('\n')).toUtf8());
        } else {
            QList<QStringList> rows{{QStringLiteral("USER"), QStringLiteral("TENANT"),
                                     QStringLiteral("AUTHORITY"), QStringLiteral("METHOD"),
                                     QStringLiteral("LAST SIGN-IN"), QStringLiteral("DEFAULT")}};
            for (const StoredAccount &account : all) {
                rows.append({account.record.username, account.record.tenantId, account.record.authority,
                             account.metadata.signInMethod,
                             QDateTime::fromSecsSinceEpoch(account.metadata.lastSignIn).toString(Qt::ISODate),
                             account.metadata.isDefault ? QStringLiteral("*") : QString()});
            }
            printResult(formatTable(rows));
        }
        return ExitSuccess;
    }

    if (a.subcommand == QStringLiteral("import")) {
        QFile file(a.file);
        if (!file.open(QIODevice::ReadOnly)) {
            return fail(
                AuthError::unavailable(QStringLiteral("Cannot read %1: %2.").arg(a.file, file.errorString())),
                a);
        }
        const QByteArray content = file.readAll();
        const QJsonDocument doc = QJsonDocument::fromJson(content);
        QStringList texts;
        if (doc.isArray()) {
            for (const QJsonValue &value : doc.array())
                texts << QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
        } else {
            texts << QString::fromUtf8(content);
        }
        int imported = 0;
        for (const QString &text : std::as_const(texts)) {
            const auto record = AuthenticationRecord::deserialize(text);
            if (!record.ok())
                return fail(record.error(), a);
            AccountMetadata metadata;
            metadata.signInMethod = QStringLiteral("imported");
            metadata.authorityUrl = record.value().authority;
            metadata.caBundle = a.caBundle;
            metadata.disableInstanceDiscovery = a.disableInstanceDiscovery;
            if (const VoidResult stored = wait(profile.accounts().put(record.value(), metadata));
                !stored.ok())
                return fail(stored.error(), a);
            ++imported;
        }
        printNote(
            QStringLiteral("Imported %1 account record(s). Tokens come with the next sign-in; until then "
                           "azid-cli token exits with 5 (interaction required).")
                .arg(imported));
        return ExitSuccess;
    }

    if (a.subcommand == QStringLiteral("export") && a.selector.isEmpty()) {
        AuthError error;
        const QList<StoredAccount> all = profile.listAccounts(&error);
        if (!error.message.isEmpty())
            return fail(error, a);
        QByteArray json = "[";
        for (qsizetype i = 0; i < all.size(); ++i)
            json += (i ? ", " : "") + all[i].record.serialize().toUtf8();
        json += "]";
        if (const QString problem = writeOwnerOnlyFile(a.file, json); !problem.isEmpty())
            return fail(AuthError::unavailable(problem), a);
        printNote(
            QStringLiteral("Exported %1 account record(s) to %2 (no tokens).").arg(all.size()).arg(a.file));
        return ExitSuccess;
    }

    const auto account = profile.select(a.selector);
    if (!account.ok())
        return fail(account.error(), a);
    const StoredAccount &selected = account.value();

    if (a.subcommand == QStringLiteral("show")) {
        if (a.output == OutputFormat::Json)
            printResult(QJsonDocument(accountJson(selected)).toJson(QJsonDocument::Compact));
        else
            printResult(formatRecord(selected.record, a.output));
        return ExitSuccess;
    }
    if (a.subcommand == QStringLiteral("export")) {
        const QByteArray json = selected.record.serialize().toUtf8();
        if (const QString problem = writeOwnerOnlyFile(a.file, json); !problem.isEmpty())
            return fail(AuthError::unavailable(problem), a);
        printNote(QStringLiteral("Exported %1 to %2 (no tokens).").arg(selected.record.username, a.file));
        return ExitSuccess;
    }

    // remove: the cache entries first, then the record and its keychain items.
    if (const VoidResult removed = profile.removeAccount(selected.record); !removed.ok())
        return fail(removed.error(), a);
    printNote(QStringLiteral("Removed %1 and its cached tokens.").arg(selected.record.username));
    return ExitSuccess;
}

} // namespace

int run(const Arguments &arguments)
{
    if (arguments.memoryOnly) {
        printNote(
            QStringLiteral("azid-cli: memory-only mode: nothing is read from or written to the keychain or "
                           "disk; sign-ins and tokens last only as long as this command."));
    } else if (arguments.waitForKeychainSeconds > 0) {
        if (const auto error = waitForKeychain(arguments))
            return fail(*error, arguments);
    }
    Profile profile(arguments.profile, storageOptions(arguments));
    int code = ExitSuccess;
    if (arguments.command == QStringLiteral("login"))
        code = login(arguments, profile);
    else if (arguments.command == QStringLiteral("token"))
        code = token(arguments, profile);
    else
        code = accounts(arguments, profile);
    for (const QString &warning : profile.storageWarnings())
        printNote(QStringLiteral("azid-cli: warning: ") + warning);
    return code;
}

} // namespace azid::cli
