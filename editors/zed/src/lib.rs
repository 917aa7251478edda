//! Starts `actionplan lsp` for YAML files: the `actionplan` found on the worktree's PATH (a
//! project's .venv/bin when Zed was started from an activated shell).
use zed_extension_api::{self as zed, LanguageServerId, Result};

struct Actionplan;

impl zed::Extension for Actionplan {
    fn new() -> Self {
        Actionplan
    }

    fn language_server_command(
        &mut self,
        _id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let command = worktree
            .which("actionplan")
            .ok_or_else(|| "actionplan is not on PATH: pip install actionplan".to_string())?;
        Ok(zed::Command {
            command,
            args: vec!["lsp".to_string()],
            env: Default::default(),
        })
    }
}

zed::register_extension!(Actionplan);
