// azid-cli login: signs an account in through the account model's one sign-in builder, stores it, and
// prints its AuthenticationRecord.
#include "commands.h"
#include "output.h"
#include "profile.h"
#include "storage.h"
#include "wait.h"

#include "azid/model/cloud.h"
#include "azid/model/signin.h"

#include <QDateTime>

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

model::SignInRequest signInRequest(const Arguments &a)
{
    return model::SignInRequest{
        .authority = a.authority,
        .tenant = a.tenant,
        .clientId = a.clientId,
        .loginHint = a.loginHint,
        .scopes = a.scopes,
        // Without --scope on an authority whose resources Azid does not know: the sign-in alone (a
        // record is all a login needs; `token --scope` asks for the resource later).
        .signInOnly = model::cloudOfAuthority(a.authority) == model::Cloud::Custom,
        .method = *model::signInMethodFromKey(a.flow),
        .username = a.username,
        .disableInstanceDiscovery = a.disableInstanceDiscovery,
        .redirectUri = a.redirectUri,
        .timeout = a.timeoutSeconds ? std::optional(std::chrono::seconds(*a.timeoutSeconds)) : std::nullopt,
        .makeDefault = a.setDefault,
        .shareWithAzureTools = a.sharedCache,
    };
}

model::SignInPrompts prompts()
{
    model::SignInPrompts prompts;
    prompts.openBrowser = [system = systemBrowserOpener()](const QUrl &url) {
        printNote(QStringLiteral("Opening the sign-in page in your browser. If no browser opens, open this "
                                 "address yourself:\n  ") +
                  QString::fromUtf8(url.toEncoded()));
        if (!system(url))
            printNote(QStringLiteral("(No browser could be started; waiting for the sign-in at the address "
                                     "above.)"));
        return true;
    };
    prompts.showDeviceCode = [](const model::DeviceCodeInfo &code) {
        printNote(
            QStringLiteral("To sign in, open %1 in a browser on any device and enter the code %2 (valid "
                           "until %3).")
                .arg(code.verificationUri, code.userCode,
                     code.expiresOn.toLocalTime().toString(QStringLiteral("HH:mm:ss"))));
    };
    return prompts;
}

// Stores the account that signed in, and shares it with the Azure tools when asked.
int store(const Arguments &a, Profile &profile, const model::SignInRequest &request,
          const AuthenticationRecord &record, const QList<StoredAccount> &existing)
{
    AccountMetadata metadata = model::metadataAfterSignIn(request, record.homeAccountId, existing,
                                                          QDateTime::currentSecsSinceEpoch(), a.caBundle);
    // The tray app's "Share with Azure tools": once on, a sign-in again from here keeps it on.
    for (const StoredAccount &account : existing) {
        if (account.record.homeAccountId == record.homeAccountId && account.metadata.shareWithAzureTools)
            metadata.shareWithAzureTools = true;
    }
    if (const VoidResult stored = wait(profile.accounts().put(record, metadata)); !stored.ok())
        return fail(stored.error(), a);
    if (metadata.shareWithAzureTools) {
        if (const VoidResult shared = shareWithAzureTools(profile, record, true); !shared.ok()) {
            AuthError error = shared.error();
            error.message = QStringLiteral("Signed in, but the shared token cache could not be written: ") +
                            error.message;
            return fail(error, a);
        }
    }
    printResult(formatRecord(record, a.output));
    return ExitSuccess;
}

} // namespace

int login(const Arguments &a, Profile &profile)
{
    if (const VoidResult loaded = profile.loadCaches(); !loaded.ok())
        return fail(loaded.error(), a);
    // Before anyone signs in: a sign-in that cannot be kept (a locked keychain) is not asked for.
    const Result<QList<StoredAccount>> existing = profile.listAccounts();
    if (!existing.ok())
        return fail(existing.error(), a);

    model::SignInRequest request = signInRequest(a);
    if (request.method == model::SignInMethod::UsernamePassword) {
        auto password = readPassword(a.passwordStdin);
        if (!password) {
            printUsageError(QStringLiteral("The password flow reads the password from a terminal or, with "
                                           "--password-stdin, from standard input."),
                            a.errorFormat);
            return ExitUsage;
        }
        request.password = std::move(*password);
    }
    model::SignInContext context{HttpOptions{}, profile.cache(), profile.caeCache(), nullptr};
    context.http.caBundleFile = a.caBundle;
    const auto credential = model::createSignInCredential(request, context, prompts());
    const auto record = wait(model::authenticateSignIn(*credential, request));
    // Tokens are kept even when storing the account fails below: the next login finds them.
    const VoidResult saved = profile.saveCaches();
    if (!record.ok())
        return fail(record.error(), a);
    if (!saved.ok())
        return fail(saved.error(), a);
    return store(a, profile, request, record.value(), existing.value());
}

} // namespace azid::cli
