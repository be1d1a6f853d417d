#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace azid::cli {

// Az: what `az account get-access-token --output json` prints (token only).
enum class OutputFormat { Json, Raw, Table, Az };

// The global options of the CLI contract, then one command and its options.
struct Arguments
{
    QString profile;
    QString authority;
    QString tenant;
    QString clientId;
    QString caBundle;
    bool disableInstanceDiscovery = false;
    OutputFormat output = OutputFormat::Json;
    // Errors are JSON only when --output json was asked for; otherwise one line of text.
    OutputFormat errorFormat = OutputFormat::Raw;
    bool verbose = false;

    // storage
    bool memoryOnly = false;              // --memory-only or AZID_MEMORY_ONLY=1: nothing stored or read
    bool allowUnencryptedStorage = false; // --allow-unencrypted-storage: plain files when no keychain
    int waitForKeychainSeconds = 0;       // --wait-for-keychain SEC: wait for a locked/absent keychain

    QString command;    // login, token, accounts
    QString subcommand; // accounts: list, show, remove, export, import
    QString selector;   // accounts show/remove/export: USER or HOME_ACCOUNT_ID

    // login
    QString flow;
    QStringList scopes;
    QString loginHint;
    QString redirectUri;
    std::optional<int> timeoutSeconds;
    QString username;
    bool passwordStdin = false;
    bool setDefault = false;
    bool sharedCache = false; // --shared-cache: also into azure.identity's shared persistent cache

    // token
    QString account;
    QString claims;
    bool enableCae = false;
    QString credential;

    // accounts export/import
    QString file;

    // agent: --managed-identity-endpoint [ADDR:]PORT (--account is the account it serves)
    QString managedIdentityEndpoint;
};

struct ParseResult
{
    std::optional<Arguments> arguments;
    QString error;     // usage error: exit 2
    bool help = false; // print usage, exit 0
    bool version = false;
};

ParseResult parseArguments(const QStringList &argv);
QString usage();

} // namespace azid::cli
