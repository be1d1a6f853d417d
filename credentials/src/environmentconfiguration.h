#pragma once

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace azid::detail {

// Which credential EnvironmentCredential builds from a set of variables, and when none, why not.
struct EnvironmentConfiguration
{
    enum class Kind { None, ClientSecret, Certificate, UsernamePassword };
    Kind kind = Kind::None;
    QStringList set;     // the relevant variables that are set, in a fixed order
    QStringList missing; // None: what the closest configuration lacks (empty when nothing is set)
    QString problem;     // None: the whole message for a person
};

EnvironmentConfiguration selectEnvironmentConfiguration(const QProcessEnvironment &environment);

} // namespace azid::detail
