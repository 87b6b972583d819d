-- telemetry-injector for Neovim: finds or is told the server command, starts one client per
-- workspace root with the `telemetryInjector` settings, and offers the three commands. It only
-- locates and launches the server and passes settings: every decision (diagnostics, actions, edits)
-- is the server's. A server that cannot start, or stops on its own, gets one message and is not
-- started again for that root until :TelemetryRestart. Must never register the server's command ids,
-- compute edits itself, or restart a failed server by itself.
local M = {}

M.name = 'telemetry_injector'
M.filetypes = { 'python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'go', 'java', 'rust' }
M.root_markers = { 'telemetry.toml', '.telemetry.toml', 'package.json', 'pyproject.toml', 'go.mod', '.git' }
-- The settings section the server reads (it was `telemetry` before; see the README's Changes).
M.section = 'telemetryInjector'

-- `failed`: roots whose server exited on its own; nothing starts there again until a restart.
local state = { opts = { settings = {} }, clients = {}, group = nil, told = {}, failed = {} }

-- Client methods are called with `:` from 0.11 and with `.` before.
local function call(client, method, ...)
  if vim.fn.has('nvim-0.11') == 1 then
    return client[method](client, ...)
  end
  return client[method](...)
end

local function notify(message, level)
  vim.notify('telemetry-injector: ' .. message, level or vim.log.levels.ERROR)
end

-- A server that cannot be found is said once per root and setup, not once per buffer opened.
local function notify_once(root, message)
  if not state.told[root] then
    state.told[root] = true
    notify(message)
  end
end

--- The workspace root of a file: the nearest folder above it holding a root marker, else the cwd.
function M.root_dir(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  -- A buffer without a file (a new one, :checkhealth's) takes the current directory.
  if path == '' or vim.fn.isdirectory(dir) == 0 then
    dir = vim.fn.getcwd()
  end
  while true do
    for _, marker in ipairs(M.root_markers) do
      if vim.loop.fs_stat(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return vim.fn.getcwd()
    end
    dir = parent
  end
end

--- The server command for a root: `opts.cmd`, else `<root>/node_modules/.bin/telemetry-injector`,
--- else `telemetry-injector` on PATH. Returns nil and the reason when none is executable.
function M.resolve_cmd(root, cmd)
  cmd = cmd or state.opts.cmd
  if cmd then
    if vim.fn.executable(cmd[1]) == 1 then
      return cmd
    end
    return nil, string.format('the server command %q is not executable: fix `cmd` in require(\'telemetry_injector\').setup({ cmd = {...} }), then run :TelemetryRestart', cmd[1])
  end
  local local_bin = root .. '/node_modules/.bin/telemetry-injector'
  if vim.fn.executable(local_bin) == 1 then
    return { local_bin, 'lsp', '--stdio' }
  end
  if vim.fn.executable('telemetry-injector') == 1 then
    return { 'telemetry-injector', 'lsp', '--stdio' }
  end
  return nil, 'no telemetry-injector in ' .. root .. '/node_modules/.bin or on PATH: run `npm install --save-dev telemetry-injector`, or set `cmd` in require(\'telemetry_injector\').setup({ cmd = {...} })'
end

local Fix = ' Fix `cmd` in require(\'telemetry_injector\').setup() if it is wrong, then run :TelemetryRestart (:LspLog has its output).'

-- Neovim's own rule for an exit worth a warning: a code, or a signal other than SIGTERM (a stop).
local function failed_exit(code, signal)
  return code ~= 0 or (signal ~= 0 and signal ~= 15)
end

-- The one message for a server that exited on its own; its root is left alone until a restart.
-- Called from the process's exit callback, where messages cannot be shown: scheduled.
local function report_exit(root, cmd, code, signal)
  state.failed[root] = true
  local how = signal ~= 0 and ('was killed by signal ' .. signal) or ('exited with code ' .. code)
  vim.schedule(function()
    notify('the server ' .. cmd[1] .. ' ' .. how .. ' and will not be restarted.' .. Fix)
  end)
end

--- What the server reads: initializationOptions and workspace/configuration, both under the section.
function M.server_settings(settings)
  return { [M.section] = settings or state.opts.settings or {} }
end

-- Neovim 0.7 to 0.10 take `cmd` as a list: a failed exit is reported from on_exit, after which
-- Neovim adds its own "quit with exit code" warning (0.11 gets one message: see M.lsp_config).
local function config_for(root, cmd)
  return {
    name = M.name,
    cmd = cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = M.server_settings(),
    settings = M.server_settings(),
    on_exit = function(code, signal)
      if failed_exit(code, signal) then
        report_exit(root, cmd, code, signal)
      end
    end,
  }
end

-- Neovim 0.7 has neither vim.lsp.start nor vim.lsp.enable: one client per root, attached by hand.
local function attach_07(bufnr)
  local root = M.root_dir(vim.api.nvim_buf_get_name(bufnr))
  if state.failed[root] then
    return
  end
  local id = state.clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    local cmd, problem = M.resolve_cmd(root)
    if not cmd then
      return notify_once(root, problem)
    end
    id = vim.lsp.start_client(config_for(root, cmd))
    if not id then
      return notify('the server did not start (' .. cmd[1] .. ').' .. Fix)
    end
    state.clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

-- Neovim 0.8 to 0.10: vim.lsp.start reuses a client by name and root.
local function attach_08(bufnr)
  local root = M.root_dir(vim.api.nvim_buf_get_name(bufnr))
  if state.failed[root] then
    return
  end
  local cmd, problem = M.resolve_cmd(root)
  if not cmd then
    return notify_once(root, problem)
  end
  vim.lsp.start(config_for(root, cmd), { bufnr = bufnr })
end

--- The vim.lsp.config form (0.11+), also what lsp/telemetry_injector.lua gives.
function M.lsp_config()
  return {
    cmd = function(dispatchers, config)
      local root = config.root_dir
      local cmd = M.resolve_cmd(root) or { 'telemetry-injector', 'lsp', '--stdio' }
      -- A failed exit is reported here, and Neovim is told of a clean one, so that the user sees
      -- one message (this one, which says what to do) instead of two; the code is in it.
      local ours = vim.tbl_extend('force', dispatchers, {
        on_exit = function(code, signal)
          if failed_exit(code, signal) then
            report_exit(root, cmd, code, signal)
            return dispatchers.on_exit(0, 0)
          end
          return dispatchers.on_exit(code, signal)
        end,
      })
      return vim.lsp.rpc.start(cmd, ours, { cwd = root })
    end,
    filetypes = M.filetypes,
    root_dir = function(bufnr, on_dir)
      local root = M.root_dir(vim.api.nvim_buf_get_name(bufnr))
      if state.failed[root] then
        return
      end
      local cmd, problem = M.resolve_cmd(root)
      if not cmd then
        return notify_once(root, problem)
      end
      on_dir(root)
    end,
    init_options = M.server_settings(),
    settings = M.server_settings(),
  }
end

function M.clients(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  local found = {}
  for _, client in ipairs(get(bufnr and { bufnr = bufnr } or nil) or {}) do
    if client.name == M.name then
      table.insert(found, client)
    end
  end
  return found
end

local function attach(bufnr)
  if vim.lsp.start then
    attach_08(bufnr)
  else
    attach_07(bufnr)
  end
end

local function attach_open_buffers()
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.filetypes, vim.bo[bufnr].filetype) then
      if vim.lsp.enable then
        vim.api.nvim_exec_autocmds('FileType', { buffer = bufnr, modeline = false })
      else
        attach(bufnr)
      end
    end
  end
end

--- setup({ cmd = {...}, settings = {...} }): `settings` are the `telemetryInjector` settings
--- (protocol/settings-schema.json), sent as initializationOptions and answered on workspace/configuration.
function M.setup(opts)
  state.opts = vim.tbl_extend('force', { settings = {} }, opts or {})
  state.told = {}
  state.failed = {}
  if vim.lsp.enable then
    vim.lsp.config(M.name, M.lsp_config())
    vim.lsp.enable(M.name)
    -- vim.lsp.enable attaches the open buffers itself only once Neovim has entered (VimEnter).
    if vim.v.vim_did_enter ~= 1 then
      attach_open_buffers()
    end
    return
  end
  state.group = vim.api.nvim_create_augroup('telemetry_injector', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = state.group,
    pattern = M.filetypes,
    callback = function(args)
      attach(args.buf)
    end,
  })
  attach_open_buffers()
end

--- Changes the settings of every running client: sent as didChangeConfiguration, as editors do.
function M.set_settings(settings)
  state.opts.settings = settings
  if vim.lsp.config then
    vim.lsp.config(M.name, { init_options = M.server_settings(), settings = M.server_settings() })
  end
  for _, client in ipairs(M.clients()) do
    -- workspace/configuration is answered from client.settings from 0.11, from config.settings before.
    client.config.settings = M.server_settings()
    client.settings = client.config.settings
    call(client, 'notify', 'workspace/didChangeConfiguration', { settings = client.config.settings })
    -- Neovim 0.11 pulls diagnostics but does not take workspace/diagnostic/refresh: without this,
    -- the new settings would show only after the next edit. Its own pull is asked for again.
    if client.server_capabilities.diagnosticProvider and vim.lsp.util._refresh then
      for bufnr in pairs(client.attached_buffers or {}) do
        pcall(vim.lsp.util._refresh, 'textDocument/diagnostic', { bufnr = bufnr, client_id = client.id })
      end
    end
  end
end

--- Stops every client, waits until their servers have exited, and starts them again for the open
--- buffers: with `opts` (as setup's), with those.
function M.restart(opts)
  local stopped = M.clients()
  for _, client in ipairs(stopped) do
    call(client, 'stop')
  end
  vim.wait(5000, function()
    for _, client in ipairs(stopped) do
      if not call(client, 'is_stopped') then
        return false
      end
    end
    return true
  end, 20)
  state.clients = {}
  state.failed = {}
  state.told = {}
  if opts then
    M.setup(opts)
  else
    attach_open_buffers()
  end
end

local function lsp_diagnostic(d)
  local lsp = d.user_data and d.user_data.lsp or {}
  return {
    range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
    severity = d.severity,
    message = d.message,
    source = d.source,
    code = d.code or lsp.code,
    data = lsp.data,
  }
end

local function apply(client, bufnr, action)
  if not action.edit and not action.command and action.data ~= nil then
    local resolved = call(client, 'request_sync', 'codeAction/resolve', action, 5000, bufnr)
    action = resolved and resolved.result or action
  end
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  end
  local command = type(action.command) == 'table' and action.command or nil
  if command then
    call(client, 'request_sync', 'workspace/executeCommand', command, 5000, bufnr)
  end
end

--- The server's code actions at `range` (default: the start of the file), with the diagnostics
--- there as context, of kind `only` when given: a list of { client, action }.
function M.code_actions(bufnr, opts)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  opts = opts or {}
  local range = opts.range or { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } }
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.lnum <= range['end'].line and d.end_lnum >= range.start.line then
      table.insert(diagnostics, lsp_diagnostic(d))
    end
  end
  local found = {}
  for _, client in ipairs(M.clients(bufnr)) do
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      range = range,
      context = { diagnostics = diagnostics, only = opts.only },
    }
    local response = call(client, 'request_sync', 'textDocument/codeAction', params, 5000, bufnr)
    for _, action in ipairs(response and response.result or {}) do
      table.insert(found, { client = client, action = action })
    end
  end
  return found
end

--- Applies the first of those code actions (titled `opts.title` when given) without a menu
--- (vim.ui.select), so it works the same on 0.7. Returns the action applied, or nil.
function M.code_action(bufnr, opts)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  for _, found in ipairs(M.code_actions(bufnr, opts)) do
    if not opts.title or found.action.title == opts.title then
      apply(found.client, bufnr, found.action)
      return found.action
    end
  end
  return nil
end

function M.add()
  if not M.code_action(0, { only = { 'source.fixAll.telemetry' } }) then
    notify('nothing to add in this file', vim.log.levels.INFO)
  end
end

function M.remove()
  if not M.code_action(0, { only = { 'source.removeTelemetry' } }) then
    notify('no telemetry to remove in this file', vim.log.levels.INFO)
  end
end

function M.scan()
  for _, client in ipairs(M.clients()) do
    call(client, 'request', 'workspace/executeCommand', { command = M.section .. '.scanWorkspace', arguments = {} }, function() end)
  end
end

return M
