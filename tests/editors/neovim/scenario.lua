-- The conformance scenario (tests/editors/conformance/README.md) in a real, headless Neovim with the
-- plugin in clients/neovim: run by neovim.test.ts, which gives the workspace copy and the report
-- path in the environment and compares the report. Waits only on Neovim's own signals
-- (DiagnosticChanged, a client stopping, a process leaving /proc), never on fixed sleeps.
local ti = require('telemetry_injector')
local workspace = assert(os.getenv('CONFORMANCE_WORKSPACE'))
local report_file = assert(os.getenv('CONFORMANCE_REPORT'))

local function fail(what)
  error('timed out waiting for ' .. what, 2)
end

-- How many diagnostics results (pushed for its current version, or pulled) each buffer got: edits and settings are judged by
-- the next one. A client stopping clears diagnostics without a result, so it is not counted.
local generation = {}
-- Clients a restart replaced: a result they still answer (a pull in flight when they stopped) is
-- not the new server's, so it never counts.
local retired = {}
local function retire_clients()
  local clients = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  for _, client in ipairs(clients) do
    retired[client.id] = true
  end
end
for _, method in ipairs({ 'textDocument/publishDiagnostics', 'textDocument/diagnostic' }) do
  local default = vim.lsp.handlers[method]
  if default then
    vim.lsp.handlers[method] = function(err, result, ctx, config)
      local value = default(err, result, ctx, config)
      local bufnr = ctx.bufnr or (result and result.uri and vim.uri_to_bufnr(result.uri))
      -- A push counts only for the buffer's current text (a scan's versionless push does not).
      local current = not (result and result.uri) or result.version == vim.lsp.util.buf_versions[bufnr]
      if bufnr and not err and current and not retired[ctx.client_id] then
        generation[bufnr] = (generation[bufnr] or 0) + 1
      end
      return value
    end
  end
end
local function settled(bufnr, since, what)
  if not vim.wait(20000, function() return (generation[bufnr] or 0) > since end, 10) then
    fail(what)
  end
end

local notified = {}
local original_notify = vim.notify
vim.notify = function(message, level, opts)
  table.insert(notified, message)
  return original_notify(message, level, opts)
end

local function text(bufnr)
  return table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') .. '\n'
end
local function read(path)
  local file = assert(io.open(path, 'rb'))
  local content = file:read('*a')
  file:close()
  return content
end
local function sorted_diagnostics(bufnr)
  local all = vim.diagnostic.get(bufnr)
  table.sort(all, function(a, b) return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col) end)
  return all
end
local function messages(bufnr)
  local result = {}
  for _, d in ipairs(sorted_diagnostics(bufnr)) do
    table.insert(result, d.message)
  end
  return result
end
local function severities(bufnr)
  local result = {}
  for _, d in ipairs(sorted_diagnostics(bufnr)) do
    table.insert(result, d.severity)
  end
  return result
end
local function line_of(bufnr, prefix)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if vim.startswith(line, prefix) then
      return i - 1
    end
  end
end
-- Neovim creates a file of a workspace edit as a buffer, written to disk by the user's :write.
local function runtime_created(path)
  local bufnr = vim.fn.bufnr(path)
  if bufnr > 0 and vim.api.nvim_buf_is_loaded(bufnr) then
    return #table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n') > 0
  end
  return vim.fn.filereadable(path) == 1
end
local function at(line)
  return { start = { line = line, character = 4 }, ['end'] = { line = line, character = 4 } }
end
-- Applies an action and waits for the diagnostics of the edited text.
local function apply(bufnr, opts, what)
  local since = generation[bufnr] or 0
  assert(ti.code_action(bufnr, opts), 'no action: ' .. what)
  settled(bufnr, since, 'diagnostics after ' .. what)
end
local function server_pids()
  local pids = {}
  local nvim = vim.fn.getpid()
  for _, task in ipairs(vim.fn.readdir('/proc/' .. nvim .. '/task')) do
    local children = io.open('/proc/' .. nvim .. '/task/' .. task .. '/children')
    if children then
      for pid in children:read('*a'):gmatch('%d+') do
        table.insert(pids, tonumber(pid))
      end
      children:close()
    end
  end
  return pids
end

vim.diagnostic.config({ update_in_insert = true })
local report = { client = 'neovim ' .. tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch }

vim.cmd('cd ' .. vim.fn.fnameescape(workspace))
ti.setup({})
local files = { 'go/app.go', 'javascript/app.js', 'python/app.py', 'typescript/app.ts' }
local buffers = {}
report.diagnostics = {}
for _, file in ipairs(files) do
  vim.cmd('edit ' .. vim.fn.fnameescape(workspace .. '/' .. file))
  local bufnr = vim.api.nvim_get_current_buf()
  buffers[file] = bufnr
  -- Each file stays in the window until its diagnostics come: Neovim 0.11 pulls only for visible buffers.
  settled(bufnr, 0, 'the diagnostics of ' .. file)
  local reported = {}
  for _, d in ipairs(sorted_diagnostics(bufnr)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(reported, {
      range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
      severity = d.severity,
      code = d.code or lsp.code,
      source = d.source,
      message = d.message,
    })
  end
  report.diagnostics[file] = reported
end

local client = ti.clients()[1]
report.started = {
  diagnosticsMode = client.server_capabilities.diagnosticProvider and 'pull' or 'push',
  executeCommands = client.server_capabilities.executeCommandProvider.commands,
}

local app = buffers['python/app.py']
vim.cmd('buffer ' .. app)
local original = text(app)
local greet = line_of(app, 'def greet')
report.actions = {}
for _, found in ipairs(ti.code_actions(app, { range = at(greet) })) do
  table.insert(report.actions, { title = found.action.title, kind = found.action.kind })
end

apply(app, { range = at(greet), title = 'Add telemetry to `greet`' }, 'add')
report.add = {
  matchesGolden = text(app) == read(os.getenv('CONFORMANCE_GOLDEN_ADD')),
  runtimeCreated = runtime_created(workspace .. '/telemetry_runtime.py'),
  remaining = messages(app),
}
apply(app, { range = at(line_of(app, 'def greet')), only = { 'refactor.rewrite' }, title = 'Remove telemetry from `greet`' }, 'remove')
report.remove = { originalBytes = text(app) == original, remaining = messages(app) }
apply(app, { range = at(line_of(app, 'def farewell')), title = 'Ignore `farewell` for telemetry' }, 'ignore')
report.ignore = { lineAbove = vim.api.nvim_buf_get_lines(app, 0, -1, false)[line_of(app, 'def farewell')], remaining = messages(app) }

-- Neovim has no on-save code actions of its own: fix-all is the plugin's :TelemetryAdd.
local since = generation[app] or 0
vim.api.nvim_buf_set_lines(app, 0, -1, false, vim.split(original:sub(1, -2), '\n'))
settled(app, since, 'diagnostics of the restored text')
since = generation[app]
vim.cmd('TelemetryAdd')
settled(app, since, 'diagnostics after :TelemetryAdd')
local fixed = text(app)
vim.cmd('TelemetryAdd')
report.fixAll = {
  matchesGolden = fixed == read(os.getenv('CONFORMANCE_GOLDEN_FIX_ALL')),
  secondRunUnchanged = text(app) == fixed,
  remaining = messages(app),
  via = ':TelemetryAdd',
}
vim.cmd('TelemetryRemove')

-- 9: the first session's servers are gone once the restart is over.
local before = server_pids()
since = generation[app]
retire_clients()
ti.restart({ settings = { severity = 'error' } })
-- 30 s: a server's exit after shutdown can take seconds on a loaded machine; it only counts when one stays.
vim.wait(30000, function()
  for _, pid in ipairs(before) do
    if vim.loop.fs_stat('/proc/' .. pid) then
      return false
    end
  end
  return true
end, 20)
local orphans = 0
for _, pid in ipairs(before) do
  if vim.loop.fs_stat('/proc/' .. pid) then
    orphans = orphans + 1
  end
end
report.restart = { orphanServers = orphans }
settled(app, since, 'diagnostics after the restart')
report.settings = { severityErrorAtStart = severities(app) }

since = generation[app]
ti.set_settings({ enable = false })
settled(app, since, 'diagnostics after enable = false')
report.settings.enableFalseOnChange = #vim.diagnostic.get(app)
since = generation[app]
ti.set_settings({ severity = 'hint' })
settled(app, since, 'diagnostics after severity = hint')
report.settings.severityHintOnChange = severities(app)

since = generation[app]
retire_clients()
ti.restart({ settings = { enable = false } })
settled(app, since, 'diagnostics at a start with enable = false')
report.settings.enableFalseAtStart = #vim.diagnostic.get(app)

-- 10: a server command that does not exist.
local missing = '/nonexistent/telemetry-injector'
notified = {}
retire_clients()
ti.restart({ cmd = { missing, 'lsp', '--stdio' } })
if not vim.wait(30000, function() return #notified > 0 end, 10) then
  fail('an error about the missing server')
end
report.missingServer = { setting = 'cmd', message = table.concat(notified, '\n') }

local out = assert(io.open(report_file, 'w'))
out:write(vim.fn.json_encode(report))
out:close()
