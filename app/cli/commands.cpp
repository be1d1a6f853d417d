#include "commands.h"
#include "devtools.h"

#include "output.h"
#include "profile.h"
#include "storage.h"

namespace azid::cli {

int fail(const AuthError &error, const Arguments &a)
{
    printError(error, a.errorFormat);
    return exitCodeFor(error);
}

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
    // The agent keeps a storage of its own for as long as it runs; env asks the running agent only.
    if (arguments.command == QStringLiteral("agent"))
        return agent(arguments);
    if (arguments.command == QStringLiteral("env"))
        return env(arguments);
    Profile profile(arguments.profile, storageOptions(arguments));
    int code = ExitSuccess;
    if (arguments.command == QStringLiteral("login"))
        code = login(arguments, profile);
    else if (arguments.command == QStringLiteral("token"))
        code = token(arguments, profile);
    else if (arguments.command == QStringLiteral("kubectl-credential"))
        code = kubectlCredential(arguments, profile);
    else if (arguments.command == QStringLiteral("git-credential"))
        code = gitCredential(arguments, profile);
    else
        code = accounts(arguments, profile);
    for (const QString &warning : profile.storageWarnings())
        printNote(QStringLiteral("azid-cli: warning: ") + warning);
    return code;
}

} // namespace azid::cli
