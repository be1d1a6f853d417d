#include "arguments.h"

#include <initializer_list>
#include <utility>

namespace azid::cli {
namespace {

// The command line being read, and the first usage error found in it.
class Reader
{
public:
    explicit Reader(QStringList args) : m_args(std::move(args)) {}
    bool atEnd() const { return m_index >= m_args.size(); }
    QString peek() const { return m_args.value(m_index); }
    QString next() { return m_args.value(m_index++); }

    // The value of "--name value" or "--name=value" when `arg` is that option (a missing value is a
    // usage error, and the value empty); nothing when it is another.
    std::optional<QString> value(const QString &arg, const QString &name)
    {
        if (arg == name) {
            if (atEnd()) {
                fail(QStringLiteral("%1 needs a value.").arg(name));
                return QString();
            }
            return next();
        }
        if (arg.startsWith(name + QLatin1Char('=')))
            return arg.mid(name.size() + 1);
        return std::nullopt;
    }

    // Keeps the first usage error: the one to report.
    void fail(const QString &error)
    {
        if (m_error.isEmpty())
            m_error = error;
    }
    const QString &error() const { return m_error; }
    bool failed() const { return !m_error.isEmpty(); }

private:
    QStringList m_args;
    qsizetype m_index = 0;
    QString m_error;
};

// Options whose value goes as it is into a field of Arguments. Returns whether `arg` was one.
bool textOption(Reader &r, const QString &arg, Arguments &a,
                std::initializer_list<std::pair<const char *, QString Arguments::*>> options)
{
    for (const auto &[name, field] : options) {
        if (std::optional<QString> value = r.value(arg, QString::fromLatin1(name))) {
            a.*field = std::move(*value);
            return true;
        }
    }
    return false;
}

const QStringList kCommands{QStringLiteral("login"),
                            QStringLiteral("token"),
                            QStringLiteral("accounts"),
                            QStringLiteral("kubectl-credential"),
                            QStringLiteral("git-credential"),
                            QStringLiteral("agent"),
                            QStringLiteral("env")};
const QStringList kAccountCommands{QStringLiteral("list"),   QStringLiteral("show"),
                                   QStringLiteral("remove"), QStringLiteral("export"),
                                   QStringLiteral("import"), QStringLiteral("restore-cache")};
const QStringList kFlows{QStringLiteral("browser"), QStringLiteral("device-code"),
                         QStringLiteral("password")};

} // namespace

QString usage()
{
    return QStringLiteral(
        "Usage: azid-cli [--profile NAME] [--authority HOST|URL] [--tenant ID] [--client-id ID]\n"
        "                [--ca-bundle FILE] [--disable-instance-discovery] [--output json|raw|table] [-v] "
        "COMMAND\n"
        "\n"
        "Commands:\n"
        "  login    --flow browser|device-code|password [--scope S]... [--login-hint U]\n"
        "           [--redirect-uri URI] [--timeout SEC] [--username U --password-stdin] [--default]\n"
        "           [--shared-cache]\n"
        "           Signs in, stores the account and prints its AuthenticationRecord. --shared-cache also\n"
        "           puts the sign-in into the cache azure.identity and Microsoft developer tools share,\n"
        "           and keeps doing so for this account's later sign-ins and refreshes.\n"
        "  token    --scope S [--scope S]... [--account USER|HOME_ACCOUNT_ID] [--claims JSON]\n"
        "           [--enable-cae] [--credential KIND]\n"
        "           KIND: account (the signed-in account, default), shared-token-cache, default,\n"
        "           environment, client-secret, certificate, client-assertion, authorization-code,\n"
        "           on-behalf-of, managed-identity, workload-identity, azure-pipelines, azure-cli,\n"
        "           azure-developer-cli, azure-powershell, visual-studio-code; configured by\n"
        "           azure.identity's environment variables (AZURE_TENANT_ID, AZURE_CLIENT_ID,\n"
        "           AZURE_CLIENT_SECRET, ...), never by secrets on the command line.\n"
        "           Prints an access token: {\"token\", \"expires_on\", \"refresh_on\", \"token_type\"}.\n"
        "           --credential shared-token-cache: silently from that shared cache (azure.identity's\n"
        "           SharedTokenCacheCredential; --account picks the user, --tenant the tenant).\n"
        "           --output az: what `az account get-access-token --output json` prints.\n"
        "  accounts list | show SEL | remove SEL | export [SEL] --file F | import --file F\n"
        "           | restore-cache --file F (a token cache set aside earlier; accounts list names it)\n"
        "  kubectl-credential [--account SEL] --scope S\n"
        "           A kubectl exec credential plugin: prints an ExecCredential in the apiVersion that\n"
        "           KUBERNETES_EXEC_INFO asks for (client.authentication.k8s.io/v1 or v1beta1).\n"
        "  git-credential [--account SEL] [--scope S] get|store|erase\n"
        "           A git credential helper (also run as git-credential-azid): an Entra access token for\n"
        "           Azure DevOps as the password; erase drops the cached token.\n"
        "  agent    [--managed-identity-endpoint [ADDR:]PORT [--scope S]...] [--account SEL]\n"
        "           Serves this profile's tokens to the same user's programs in the foreground (azid-cli\n"
        "           token then asks it first); with --managed-identity-endpoint, also a local managed-\n"
        "           identity endpoint for --account, which hands out only the --scope values given\n"
        "           (any scope without --scope). Stops on SIGTERM or SIGINT.\n"
        "  env      [--account SEL]\n"
        "           Prints export IDENTITY_ENDPOINT=... and export IDENTITY_HEADER=... of the running\n"
        "           agent's managed-identity endpoint (exit 3 when none serves).\n"
        "\n"
        "Global options:\n"
        "  --profile NAME       keep accounts and caches apart (default: $AZID_PROFILE or \"default\")\n"
        "  --authority HOST|URL login.microsoftonline.com (default), login.microsoftonline.us,\n"
        "                       login.chinacloudapi.cn, or any https URL\n"
        "  --tenant ID          tenant id or domain (default: organizations)\n"
        "  --client-id ID       application id (default: 04b07795-8ddb-461a-bbee-02f9e1bf7b46)\n"
        "  --ca-bundle FILE     extra CA certificates (PEM), added to the system's\n"
        "  --disable-instance-discovery  trust an authority Microsoft does not list\n"
        "  --output FORMAT      json (default), raw (the token or record alone), table or az\n"
        "  -v, --verbose        log what happens to stderr (secrets are never logged)\n"
        "  --version, --help\n"
        "\n"
        "Storage options:\n"
        "  --memory-only        store nothing and read nothing stored: no keychain, no files; sign-ins\n"
        "                       last as long as the command (for SSH sessions and headless machines;\n"
        "                       also AZID_MEMORY_ONLY=1)\n"
        "  --allow-unencrypted-storage\n"
        "                       when no keychain is reachable at all, keep token caches and account\n"
        "                       records in plain files of mode 0600 instead of failing (a warning says\n"
        "                       so); a locked keychain is still an error\n"
        "  --wait-for-keychain SEC\n"
        "                       if the keychain is locked or not running yet, wait up to SEC seconds for\n"
        "                       it (retrying with backoff) before giving up\n"
        "\n"
        "Passwords are read from standard input (--password-stdin) or a terminal prompt, never from\n"
        "the command line. Exit codes: 0 success, 2 usage, 3 credential unavailable, 4 authentication\n"
        "failed, 5 interaction required.\n");
}

namespace {

// A number of seconds of `option`; a usage error when it is not one (or below `minimum`).
int seconds(Reader &r, const QString &option, const QString &value, int minimum)
{
    bool ok = false;
    const int number = value.toInt(&ok);
    if (!ok || number < minimum)
        r.fail(QStringLiteral("%1 takes a number of seconds, not \"%2\".").arg(option, value));
    return number;
}

void outputOption(Reader &r, const QString &value, Arguments &a)
{
    if (value == QStringLiteral("json"))
        a.output = OutputFormat::Json;
    else if (value == QStringLiteral("raw"))
        a.output = OutputFormat::Raw;
    else if (value == QStringLiteral("table"))
        a.output = OutputFormat::Table;
    else if (value == QStringLiteral("az"))
        a.output = OutputFormat::Az;
    else
        r.fail(QStringLiteral("--output takes json, raw, table or az, not \"%1\".").arg(value));
    a.errorFormat = a.output == OutputFormat::Json ? OutputFormat::Json : OutputFormat::Raw;
}

// The options every command takes. Returns whether `arg` was one.
bool globalOption(Reader &r, const QString &arg, Arguments &a)
{
    if (arg == QStringLiteral("-v") || arg == QStringLiteral("--verbose")) {
        a.verbose = true;
    } else if (arg == QStringLiteral("--disable-instance-discovery")) {
        a.disableInstanceDiscovery = true;
    } else if (arg == QStringLiteral("--memory-only")) {
        a.memoryOnly = true;
    } else if (arg == QStringLiteral("--allow-unencrypted-storage")) {
        a.allowUnencryptedStorage = true;
    } else if (const auto wait = r.value(arg, QStringLiteral("--wait-for-keychain"))) {
        a.waitForKeychainSeconds = seconds(r, QStringLiteral("--wait-for-keychain"), *wait, 0);
    } else if (textOption(r, arg, a,
                          {{"--profile", &Arguments::profile},
                           {"--authority", &Arguments::authority},
                           {"--tenant", &Arguments::tenant},
                           {"--client-id", &Arguments::clientId},
                           {"--ca-bundle", &Arguments::caBundle}})) {
    } else if (const auto output = r.value(arg, QStringLiteral("--output"))) {
        outputOption(r, *output, a);
    } else if (const auto shortOutput = r.value(arg, QStringLiteral("-o"))) {
        outputOption(r, *shortOutput, a);
    } else {
        return false;
    }
    return true;
}

// The command word (and the accounts subcommand after it). Returns a usage error, or nothing.
QString commandWord(Reader &r, const QString &arg, Arguments &a)
{
    if (!kCommands.contains(arg))
        return QStringLiteral("Unknown command \"%1\": use login, token, accounts, kubectl-credential or "
                              "git-credential.")
            .arg(arg);
    a.command = arg;
    if (arg == QStringLiteral("accounts")) {
        a.subcommand = r.atEnd() ? QStringLiteral("list") : r.next();
        if (!kAccountCommands.contains(a.subcommand)) {
            return QStringLiteral("Unknown accounts command \"%1\": use list, show, remove, export, import "
                                  "or restore-cache.")
                .arg(a.subcommand);
        }
    }
    return {};
}

bool loginOption(Reader &r, const QString &arg, Arguments &a)
{
    if (textOption(r, arg, a,
                   {{"--flow", &Arguments::flow},
                    {"--login-hint", &Arguments::loginHint},
                    {"--redirect-uri", &Arguments::redirectUri},
                    {"--username", &Arguments::username}})) {
    } else if (const auto timeout = r.value(arg, QStringLiteral("--timeout"))) {
        a.timeoutSeconds = seconds(r, QStringLiteral("--timeout"), *timeout, 1);
    } else if (const auto scope = r.value(arg, QStringLiteral("--scope"))) {
        a.scopes.append(*scope);
    } else if (arg == QStringLiteral("--password-stdin")) {
        a.passwordStdin = true;
    } else if (arg == QStringLiteral("--default")) {
        a.setDefault = true;
    } else if (arg == QStringLiteral("--shared-cache")) {
        a.sharedCache = true;
    } else if (arg == QStringLiteral("--password")) {
        r.fail(QStringLiteral("Passwords are never taken on the command line, where other users and the "
                              "shell history can read them: use --password-stdin."));
    } else {
        return false;
    }
    return true;
}

bool tokenOption(Reader &r, const QString &arg, Arguments &a)
{
    if (const auto scope = r.value(arg, QStringLiteral("--scope")))
        a.scopes.append(*scope);
    else if (arg == QStringLiteral("--enable-cae"))
        a.enableCae = true;
    else
        return textOption(r, arg, a,
                          {{"--account", &Arguments::account},
                           {"--claims", &Arguments::claims},
                           {"--credential", &Arguments::credential}});
    return true;
}

bool accountsOption(Reader &r, const QString &arg, Arguments &a)
{
    if (textOption(r, arg, a, {{"--file", &Arguments::file}}))
        return true;
    if (arg.startsWith(QLatin1Char('-')) || !a.selector.isEmpty())
        return false;
    a.selector = arg;
    return true;
}

// kubectl-credential and git-credential: the account and scope; git's operation word.
bool toolOption(Reader &r, const QString &arg, Arguments &a)
{
    if (const auto scope = r.value(arg, QStringLiteral("--scope")))
        a.scopes.append(*scope);
    else if (textOption(r, arg, a, {{"--account", &Arguments::account}}))
        return true;
    else if (a.command == QStringLiteral("git-credential") && a.subcommand.isEmpty() &&
             !arg.startsWith(QLatin1Char('-')))
        a.subcommand = arg;
    else
        return false;
    return true;
}

// agent and env: the account, and the agent's managed-identity endpoint.
bool agentOption(Reader &r, const QString &arg, Arguments &a)
{
    if (a.command == QStringLiteral("agent") &&
        textOption(r, arg, a, {{"--managed-identity-endpoint", &Arguments::managedIdentityEndpoint}}))
        return true;
    // The endpoint's allow-list: the scopes it may hand out (every one when none is given).
    if (a.command == QStringLiteral("agent")) {
        if (const auto scope = r.value(arg, QStringLiteral("--scope"))) {
            a.scopes << *scope;
            return true;
        }
    }
    return textOption(r, arg, a, {{"--account", &Arguments::account}});
}

bool commandOption(Reader &r, const QString &arg, Arguments &a)
{
    if (a.command == QStringLiteral("agent") || a.command == QStringLiteral("env"))
        return agentOption(r, arg, a);
    if (a.command == QStringLiteral("kubectl-credential") || a.command == QStringLiteral("git-credential"))
        return toolOption(r, arg, a);
    if (a.command == QStringLiteral("login"))
        return loginOption(r, arg, a);
    if (a.command == QStringLiteral("token"))
        return tokenOption(r, arg, a);
    if (a.command == QStringLiteral("accounts"))
        return accountsOption(r, arg, a);
    return false;
}

QString checkLogin(const Arguments &a)
{
    if (a.flow.isEmpty())
        return QStringLiteral("login needs --flow browser, device-code or password.");
    if (!kFlows.contains(a.flow))
        return QStringLiteral("Unknown flow \"%1\": use browser, device-code or password.").arg(a.flow);
    if (a.flow == QStringLiteral("password") && a.username.isEmpty())
        return QStringLiteral("The password flow needs --username.");
    if (a.flow != QStringLiteral("password") && (a.passwordStdin || !a.username.isEmpty()))
        return QStringLiteral("--username and --password-stdin belong to --flow password.");
    if (a.flow != QStringLiteral("browser") && !a.redirectUri.isEmpty())
        return QStringLiteral("--redirect-uri belongs to --flow browser.");
    return {};
}

QString checkAccounts(const Arguments &a)
{
    const bool needsSelector =
        a.subcommand == QStringLiteral("show") || a.subcommand == QStringLiteral("remove");
    if (needsSelector && a.selector.isEmpty())
        return QStringLiteral("accounts %1 needs an account: a user name or home account id.")
            .arg(a.subcommand);
    if ((a.subcommand == QStringLiteral("export") || a.subcommand == QStringLiteral("import") ||
         a.subcommand == QStringLiteral("restore-cache")) &&
        a.file.isEmpty())
        return QStringLiteral("accounts %1 needs --file F.").arg(a.subcommand);
    return {};
}

// What the options say together. Returns a usage error, or nothing.
QString check(const Arguments &a)
{
    if (a.command.isEmpty())
        return QStringLiteral(
            "No command given: use login, token, accounts, kubectl-credential or git-credential.");
    if (a.command == QStringLiteral("login")) {
        if (const QString error = checkLogin(a); !error.isEmpty())
            return error;
    }
    if (a.memoryOnly && a.sharedCache)
        return QStringLiteral("--shared-cache writes azure.identity's shared cache; --memory-only writes "
                              "nothing. Choose one.");
    if (a.memoryOnly && a.credential == QStringLiteral("shared-token-cache"))
        return QStringLiteral("--credential shared-token-cache reads the shared cache from the keychain; "
                              "--memory-only reads nothing stored. Choose one.");
    if (a.output == OutputFormat::Az && a.command != QStringLiteral("token"))
        return QStringLiteral("--output az belongs to token.");
    if (a.command == QStringLiteral("kubectl-credential") && a.scopes.isEmpty())
        return QStringLiteral(
            "kubectl-credential needs --scope, e.g. 6dae42f8-4368-4678-94ff-3960e28e3630/.default.");
    if (a.command == QStringLiteral("git-credential") && a.subcommand.isEmpty())
        return QStringLiteral("git-credential needs git's operation: get, store or erase.");
    if (a.command == QStringLiteral("agent") && !a.scopes.isEmpty() && a.managedIdentityEndpoint.isEmpty())
        return QStringLiteral("agent's --scope is the managed-identity endpoint's allow-list: it needs "
                              "--managed-identity-endpoint.");
    if (a.command == QStringLiteral("token") && a.scopes.isEmpty())
        return QStringLiteral(
            "token needs at least one --scope, e.g. https://management.azure.com/.default.");
    if (a.command == QStringLiteral("accounts"))
        return checkAccounts(a);
    return {};
}

} // namespace

ParseResult parseArguments(const QStringList &argv)
{
    ParseResult result;
    Arguments a;
    a.profile = qEnvironmentVariable("AZID_PROFILE");
    const QString memoryOnly = qEnvironmentVariable("AZID_MEMORY_ONLY").toLower();
    a.memoryOnly = memoryOnly == QStringLiteral("1") || memoryOnly == QStringLiteral("true") ||
                   memoryOnly == QStringLiteral("yes");
    Reader r(argv.mid(1));
    while (!r.atEnd() && !r.failed()) {
        const QString arg = r.next();
        if (arg == QStringLiteral("--help") || arg == QStringLiteral("-h")) {
            result.help = true;
            return result;
        }
        if (arg == QStringLiteral("--version")) {
            result.version = true;
            return result;
        }
        if (globalOption(r, arg, a) || commandOption(r, arg, a))
            continue;
        if (!arg.startsWith(QLatin1Char('-')) && a.command.isEmpty())
            r.fail(commandWord(r, arg, a));
        else
            r.fail(a.command.isEmpty() ? QStringLiteral("Unknown option \"%1\".").arg(arg)
                                       : QStringLiteral("Unknown option \"%1\" for %2.").arg(arg, a.command));
    }
    result.error = r.failed() ? r.error() : check(a);
    if (!result.error.isEmpty())
        return result;
    if (a.profile.isEmpty())
        a.profile = QStringLiteral("default");
    result.arguments = a;
    return result;
}

} // namespace azid::cli
