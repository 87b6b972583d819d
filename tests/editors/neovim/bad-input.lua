-- Bad input in a real, headless Neovim with the plugin in clients/neovim: a setting of the wrong
-- type, a server that exits mid-session, one that crashes on start, and a server command that does
-- not exist. Run by neovim.test.ts, which gives the workspace, the broken servers' folder and the
-- result path in the environment, and checks the result: one message per failure, no restart loop.
-- Waits only on Neovim's signals (diagnostics, messages, scheduled callbacks), never on fixed sleeps.
local ti = require('telemetry_injector')
local workspace = assert(os.getenv('CONFORMANCE_WORKSPACE'))
local broken = assert(os.getenv('BROKEN_SERVERS'))
local starts_file = assert(os.getenv('BROKEN_SERVER_STARTS'))
local result_file = assert(os.getenv('BAD_INPUT_REPORT'))

local function wait(what, predicate)
  if not vim.wait(20000, predicate, 10) then
    error('timed out waiting for ' .. what, 2)
  end
end

-- Every message the user would see: vim.notify (the plugin's and Neovim's own) and the server's
-- window/showMessage (Neovim's handler shows it; 0.7 writes it without vim.notify).
local notified = {}
local original_notify = vim.notify
vim.notify = function(message, level, opts)
  table.insert(notified, message)
  return original_notify(message, level, opts)
end
local shown = {}
local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
  table.insert(shown, result)
  return show_message(err, result, ctx, config)
end

-- Runs after every callback scheduled before it (the exit messages are scheduled).
local function drain()
  local done = false
  vim.schedule(function() done = true end)
  wait('scheduled callbacks', function() return done end)
end
local function starts()
  local file = io.open(starts_file)
  if not file then
    return 0
  end
  local count = #vim.split(vim.trim(file:read('*a')), '\n')
  file:close()
  return count
end
local function ours()
  return vim.tbl_filter(function(m) return vim.startswith(m, 'telemetry-injector: ') end, notified)
end
local function others()
  return vim.tbl_filter(function(m) return not vim.startswith(m, 'telemetry-injector: ') end, notified)
end
local function edit(file)
  vim.cmd('edit ' .. vim.fn.fnameescape(workspace .. '/' .. file))
  return vim.api.nvim_get_current_buf()
end

local result = {}
vim.cmd('cd ' .. vim.fn.fnameescape(workspace))

-- A setting of the wrong type: the server keeps the default and shows one warning for both files.
ti.setup({ settings = { severity = 'loud' } })
local severities = {}
for _, file in ipairs({ 'python/app.py', 'go/app.go' }) do
  local bufnr = edit(file)
  wait('the diagnostics of ' .. file, function() return #vim.diagnostic.get(bufnr) > 0 end)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(severities, d.severity)
  end
end
local about = function()
  return vim.tbl_filter(function(m) return m.message:find('telemetryInjector.severity', 1, true) ~= nil end, shown)
end
wait('the warning about the wrong setting', function() return #about() > 0 end)
result.wrongType = { severities = severities, shown = about() }

-- A server that exits mid-session, then one that crashes on start: one message each, no new start
-- when another file opens, and :TelemetryRestart starts it again.
for _, case in ipairs({ { name = 'exitMidSession', server = 'exit-after-initialize.mjs' }, { name = 'crashOnStart', server = 'crash-on-start.mjs' } }) do
  os.remove(starts_file)
  notified = {}
  ti.restart({ cmd = { broken .. '/' .. case.server, 'lsp', '--stdio' } })
  wait('the message about ' .. case.server, function() return #ours() > 0 end)
  edit('javascript/app.js')
  edit('typescript/app.ts')
  drain()
  local outcome = { ours = ours(), others = others(), starts = starts() }
  vim.cmd('TelemetryRestart')
  wait('a start after :TelemetryRestart', function() return starts() > outcome.starts end)
  wait('the message after :TelemetryRestart', function() return #ours() > #outcome.ours end)
  drain()
  outcome.startsAfterRestart = starts()
  result[case.name] = outcome
end

-- A server command that does not exist: one message naming `cmd`, however many files open.
notified = {}
ti.restart({ cmd = { '/nonexistent/telemetry-injector', 'lsp', '--stdio' } })
wait('the message about the missing server', function() return #ours() > 0 end)
edit('python/app.py')
edit('go/app.go')
drain()
result.wrongPath = { ours = ours(), others = others() }

local out = assert(io.open(result_file, 'w'))
out:write(vim.fn.json_encode(result))
out:close()
