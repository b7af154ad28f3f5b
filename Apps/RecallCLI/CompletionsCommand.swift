import ArgumentParser

/// `recall completions bash|zsh|fish`: the shell completion script, for installing by hand.
struct CompletionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completions",
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
            The same script as `recall --generate-completion-script <shell>`.

            Examples:
              recall completions bash > /etc/bash_completion.d/recall
              recall completions zsh > "${fpath[1]}/_recall"
              recall completions fish > ~/.config/fish/completions/recall.fish
            """
    )

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish

        var completionShell: CompletionShell {
            switch self {
            case .bash: .bash
            case .zsh: .zsh
            case .fish: .fish
            }
        }
    }

    @Argument(help: "The shell: bash, zsh or fish.")
    var shell: Shell

    func run() {
        print(RecallCommand.completionScript(for: shell.completionShell))
    }
}
