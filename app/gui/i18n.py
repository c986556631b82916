"""UI strings in Chinese and English, switchable at run time.

A small table (key -> (zh, en)) instead of Qt Linguist files: the console has a few hundred
strings, and a table keeps both languages reviewable side by side. :data:`i18n` is the one
translator; widgets call :func:`tr` and re-read their labels when :attr:`Translator.changed`
fires. The initial language follows the system locale (:func:`system_language`) unless the
seller chose one in the settings.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QObject, Signal

LANGUAGES = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    # window / menus
    "app.title": ("LiveHost 直播助手", "LiveHost console"),
    "menu.file": ("文件", "File"),
    "menu.open_catalog": ("打开商品表…", "Open catalog…"),
    "menu.replay": ("回放直播记录…", "Replay a session file…"),
    "menu.report": ("直播复盘…", "Session report…"),
    "report.title": ("直播复盘", "Session report"),
    "report.session": ("场次", "Session"),
    "report.compare": ("对比上一场", "Compare with"),
    "report.no_compare": ("不对比", "(no comparison)"),
    "report.build": ("生成并打开", "Build and open"),
    "report.building": ("正在生成复盘…", "Building the report…"),
    "report.written": ("已生成：{path}", "Written: {path}"),
    "report.failed": ("生成失败：{error}", "Could not build the report: {error}"),
    "report.none": ("还没有场次记录", "No session recorded yet"),
    "report.ended": ("本场已结束，可以生成直播复盘。", "The session ended: build its report?"),
    "menu.settings": ("设置…", "Settings…"),
    "menu.quit": ("退出", "Quit"),
    "menu.view": ("视图", "View"),
    "menu.theme_light": ("浅色主题", "Light theme"),
    "menu.theme_dark": ("深色主题", "Dark theme"),
    "menu.language": ("界面语言", "UI language"),
    "menu.avatar": ("显示虚拟主播窗口", "Show avatar window"),
    "avatar.crashed": ("虚拟主播窗口意外关闭了（第 {n} 次），{s} 秒后自动重新打开；直播和回复不受影响。",
                       "The avatar window stopped unexpectedly (time {n}); it reopens by itself in {s} s. "
                       "The stream and the replies go on."),
    "avatar.crashed_hint": ("OBS 会按窗口标题“LiveHost Avatar”重新抓取；若反复关闭，请在 gui.toml 里设置 avatar_process = \"inline\"（同一进程运行）并把日志发给我们。",
                            "OBS picks the window up again by its title \"LiveHost Avatar\"; if it keeps stopping, "
                            "set avatar_process = \"inline\" in gui.toml and send us the log."),
    "avatar.failed": ("虚拟主播窗口打不开：{message}", "The avatar window cannot open: {message}"),
    "avatar.back": ("虚拟主播窗口已重新打开", "The avatar window is back"),
    "menu.help": ("帮助", "Help"),
    "menu.shortcuts": ("快捷键", "Keyboard shortcuts"),
    # tabs / panels
    "tab.feed": ("直播间", "Room"),
    "tab.products": ("商品", "Products"),
    "tab.voice": ("声音", "Voice"),
    "panel.queue": ("建议回复", "Suggested replies"),
    "panel.feed": ("弹幕与互动", "Comments and activity"),
    # feed
    "feed.col.time": ("时间", "Time"),
    "feed.col.viewer": ("观众", "Viewer"),
    "feed.col.intent": ("意图", "Intent"),
    "feed.col.text": ("内容", "Message"),
    "feed.search": ("搜索昵称或内容…", "Search names or messages…"),
    "feed.all": ("全部", "All"),
    "feed.filter": ("筛选", "Filter"),
    "feed.count": ("{shown} / {total} 条", "{shown} / {total} events"),
    "feed.follow": ("自动滚动", "Follow"),
    "feed.slots": ("槽位", "Slots"),
    "feed.confidence": ("置信度", "Confidence"),
    "feed.gift": ("送出 {gift} ×{count}", "sent {gift} ×{count}"),
    "feed.followed": ("关注了主播", "followed"),
    "feed.entered": ("进入直播间", "entered the room"),
    "feed.likes": ("点赞 ×{count}", "liked ×{count}"),
    "feed.history": ("历史记录…", "History…"),
    "feed.older": ("（更早的 {n} 条在历史记录里）", "({n} older in History)"),
    "feed.more": ("加载更早的", "Load older"),
    "feed.shared": ("分享了直播间", "shared the stream"),
    "feed.subscribed": ("开通会员 {plan}", "subscribed {plan}"),
    "feed.raided": ("带来 {n} 位观众", "raided with {n} viewers"),
    # queue / cards
    "queue.empty": ("暂无待处理的建议回复", "No replies waiting"),
    "queue.auto": ("自动采纳：", "Auto-approve:"),
    "queue.auto_tip": ("开启的类型在倒计时后自动说出；投诉永远需要您确认",
                       "Kinds switched on are spoken after a countdown; complaints always wait for you"),
    "queue.keys": ("Enter 采纳 · Esc 忽略 · E 修改 · 空格 立即说 · ↑↓ 选择",
                   "Enter approve · Esc reject · E edit · Space speak now · ↑↓ select"),
    "card.approve": ("采纳", "Approve"),
    "card.reject": ("忽略", "Reject"),
    "card.edit": ("修改", "Edit"),
    "card.speak_now": ("立即说", "Speak now"),
    "card.cancel_auto": ("取消自动", "Cancel auto"),
    "card.countdown": ("{s:.1f} 秒后自动说出", "Auto in {s:.1f} s"),
    "card.waiting": ("等待您确认", "Waiting for you"),
    "card.held": ("已拦截：{reason}", "Held: {reason}"),
    "card.askers": ("{names} 问", "asked by {names}"),
    "card.merged": ("（{n} 人问了同样的问题）", "({n} people asked the same)"),
    "card.product": ("商品", "Product"),
    "card.recs": ("推荐", "Recommended"),
    "card.confidence": ("置信度 {c:.0%}", "confidence {c:.0%}"),
    "card.edited": ("已修改", "edited"),
    "card.host": ("主播", "host"),
    "held.fact_guard": ("事实核对未通过", "fact guard"),
    "held.uncertain_intent": ("意图不确定", "uncertain intent"),
    "held.complaint": ("投诉，需要您处理", "complaint: needs you"),
    "held.missing_fact": ("商品资料缺少", "missing fact"),
    "held.offensive": ("不文明发言，未回复", "offensive: not answered"),
    "card.mute": ("本场禁言该观众", "Mute this viewer"),
    "card.mute_tip": ("本场直播内不再回复、感谢或念出这位观众", "For the rest of this session nothing from this viewer is answered, thanked or read out"),
    # say box
    "say.placeholder": ("输入一句话，让虚拟主播说…", "Type a line for the virtual host…"),
    "say.next": ("接着说", "Say next"),
    "say.now": ("立即说（打断）", "Say now (interrupt)"),
    # products
    "prod.col.listing": ("链接", "No."),
    "prod.col.title": ("商品", "Product"),
    "prod.col.price": ("价格", "Price"),
    "prod.col.stock": ("库存", "Stock"),
    "prod.col.variants": ("规格", "Variants"),
    "prod.col.script": ("话术", "Script"),
    "prod.col.signals": ("扣1", "Want it"),
    "prod.signals_tip": ("本窗口 {count} 人次扣1（{viewers} 位观众），本场共 {total}",
                         "{count} purchase signals in this window ({viewers} viewers), {total} this session"),
    # safety settings
    "set.tab.safety": ("直播安全", "Safety on air"),
    "set.moderation.auto_mute_after": ("不文明发言几次后自动禁言（0 = 不自动）", "Auto-mute after offensive messages (0 = never)"),
    "set.moderation.auto_mute_window_s": ("计数时间窗（秒）", "…counted over (s)"),
    "set.moderation.flag_score": ("不文明分数达到多少提醒您（0–1）", "Flag to you from offensive score (0–1)"),
    "set.speech_budget.max_share": ("最多说话占直播时长的比例", "Most of the stream time spent speaking"),
    "set.speech_budget.share_window_s": ("比例的计算窗口（秒）", "…measured over (s)"),
    "set.speech_budget.max_queued": ("最多排队几句", "Most lines waiting"),
    "set.speech_budget.answer_max_age_s": ("回答最多等待（秒）", "Answers wait at most (s)"),
    "set.speech_budget.purchase_max_age_s": ("扣1汇总最多等待（秒）", "Purchase-signal lines wait at most (s)"),
    "set.speech_budget.thanks_max_age_s": ("感谢超过多久合并（秒）", "Thanks merged after (s)"),
    "set.speech_budget.greeting_max_age_s": ("欢迎/打招呼超过多久丢弃（秒）", "Greetings dropped after (s)"),
    "set.speech_budget.thanks_window_s": ("礼物/关注汇总窗口（秒）", "Gifts and follows thanked together within (s)"),
    "set.speech_budget.welcome_window_s": ("进场欢迎汇总窗口（秒）", "Entries welcomed together within (s)"),
    "set.speech_budget.welcome_entries": ("欢迎进场观众（分批）", "Welcome viewers who enter (in batches)"),
    "set.speech_budget.forget_thanks_s": ("多久之后不再补谢（秒）", "Stop thanking after (s)"),
    "set.speech_budget.flood_window_s": ("刷屏计数窗口（秒）", "Floods counted per (s)"),
    "set.speech_budget.copy_min_viewers": ("几位观众发同一句算刷屏", "Viewers pasting one line that make it a flood"),
    "set.speech_budget.purchase_window_s": ("扣1汇总每窗口最多一句（秒）", "At most one purchase-signal line per (s)"),
    "set.speech_budget.purchase_min_signals": ("至少几次扣1才播报", "Purchase signals before the line is said"),
    "prod.now_selling": ("讲解中", "Now selling"),
    "prod.set_now": ("设为讲解中", "Set now selling"),
    "prod.prev": ("上一个", "Previous"),
    "prod.next": ("下一个", "Next"),
    "prod.introduce": ("介绍", "Introduce"),
    "prod.listing_box": ("链接号", "Listing no."),
    "prod.go": ("切换", "Go"),
    "prod.script": ("话术（介绍时朗读）", "Sales script (spoken by Introduce)"),
    "prod.save_script": ("保存话术", "Save script"),
    "prod.saved": ("已保存到 {path}", "Saved to {path}"),
    "prod.saved_note": ("（本场直播的“介绍”仍用开播时的话术，下次开播生效）",
                        "(this session's Introduce keeps the script it started with; the next session uses the new one)"),
    "prod.rotation": ("冷场时轮播介绍", "Introduce in turn when the room is quiet"),
    "prod.drafts": ("生成的草稿", "Drafts"),
    "prod.generate": ("生成介绍", "Generate"),
    "prod.write_llm": ("用大模型写", "Write with the model"),
    "prod.llm_writing": ("大模型正在写，写好后会逐句核对…", "The model is writing; every sentence is checked when it is done…"),
    "prod.llm_failed": ("大模型没有写成：{error}", "The model could not write a draft: {error}"),
    "prod.drafts_none": ("没有草稿：点“生成介绍”，按商品资料写几版介绍", "No drafts: Generate writes introductions from the catalog"),
    "prod.draft.builtin": ("内置", "Built-in"),
    "prod.draft.llm": ("大模型", "Model"),
    "prod.draft.held": ("需审核", "needs review"),
    "prod.draft.countdown": ("倒计时", "Countdown"),
    "prod.draft.low_stock": ("库存紧张", "Low stock"),
    "prod.draft.fields": ("用到的商品资料：{fields}", "Catalog fields used: {fields}"),
    "prod.draft.held_note": ("需要你审核：{reason}。", "Review needed: {reason}."),
    "prod.rotation_every": ("间隔（秒）", "every (s)"),
    "prod.none": ("未选择", "none"),
    "prod.yes": ("有", "yes"),
    "prod.no": ("无", "—"),
    # voice
    "voice.zh": ("中文声音", "Chinese voice"),
    "voice.en": ("英文声音", "English voice"),
    "voice.auto": ("自动选择", "automatic"),
    "voice.rate": ("语速（字/分钟）", "Rate (words/min)"),
    "voice.volume": ("音量", "Volume"),
    "voice.device": ("输出设备", "Output device"),
    "voice.device_default": ("系统默认", "system default"),
    "voice.device_tip": ("选择虚拟声卡（如 VB-CABLE）即可把主播声音送进 OBS",
                         "Choose a virtual audio cable (e.g. VB-CABLE) to carry the host's voice into OBS"),
    "voice.test": ("试听", "Test"),
    "voice.test_line": ("大家好，我是今晚的虚拟主播，有问题可以直接打在公屏上。",
                        "Hi everyone, I am tonight's virtual host. Ask me anything in the chat."),
    "voice.apply": ("应用并保存", "Apply and save"),
    "voice.restart_note": ("声音和输出设备在下次开播时生效；语速和音量立即生效。",
                           "Voice and output device apply from the next start; rate and volume apply now."),
    "voice.saved": ("声音设置已保存", "Voice settings saved"),
    "mute.on": ("紧急静音", "Panic mute"),
    "mute.off": ("取消静音", "Unmute"),
    "mute.tip": ("立即停止说话并暂停自动采纳（快捷键 {shortcut}）",
                 "Stop speech now and pause auto-approve (shortcut {shortcut})"),
    # status bar
    "status.loading": ("正在启动…", "Starting…"),
    "status.step.catalog": ("读取商品表", "Reading the catalog"),
    "status.step.model": ("加载意图模型", "Loading the intent model"),
    "status.step.model_background": ("意图模型加载中，回复稍后开始", "Loading the intent model: replies start when it is in"),
    "status.step.voice": ("启动语音合成", "Starting speech synthesis"),
    "status.step.recommender": ("加载推荐模型", "Loading the recommender"),
    "status.step.pipeline": ("启动处理流程", "Starting the pipeline"),
    "status.ready": ("就绪", "Ready"),
    "status.failed": ("启动失败", "Start failed"),
    "status.source": ("来源：{s}", "Source: {s}"),
    "status.source.none": ("未连接", "not connected"),
    "status.source.replay": ("回放 {id}", "replay {id}"),
    "status.source.ended": ("回放结束", "replay ended"),
    "status.source.lost": ("已断开：{reason}", "disconnected: {reason}"),
    "status.source.connected": ("{name} 已连接", "{name} connected"),
    "status.source.connecting": ("{name} 连接中", "{name} connecting"),
    "status.source.stalled": ("{name} 无消息 {s} 秒，重连中", "{name} silent {s} s, reconnecting"),
    "status.source.down": ("{name} 断开（{reason}），{s} 秒后重连", "{name} down ({reason}), retry in {s} s"),
    "status.source.over": ("{name} 已结束", "{name} ended"),
    "status.source.rate": ("{n} 条/分", "{n}/min"),
    "catalog.report.title": ("商品表导入报告", "Catalog import report"),
    "catalog.report.head": ("商品表 {file} 无法导入：", "The catalog {file} could not be imported:"),
    "catalog.report.notes": ("商品表 {file} 已导入，请留意：", "The catalog {file} was imported; please note:"),
    "catalog.report.skip": ("跳过有问题的行，导入其余", "Skip the bad rows, import the rest"),
    "catalog.report.other": ("选择其他文件…", "Choose another file…"),
    "catalog.report.demo": ("先用示例商品表", "Use the demo catalog for now"),
    "catalog.report.quit": ("退出", "Quit"),
    "menu.connect": ("连接直播间…", "Connect to a live room…"),
    "connect.title": ("连接直播间", "Connect to a live room"),
    "connect.platform": ("平台", "Platform"),
    "connect.p.bilibili": ("哔哩哔哩", "Bilibili"),
    "connect.p.twitch": ("Twitch", "Twitch"),
    "connect.p.youtube": ("YouTube", "YouTube"),
    "connect.p.tiktok": ("TikTok", "TikTok"),
    "connect.p.douyin": ("抖音（浏览器插件）", "Douyin (browser bridge)"),
    "connect.p.taobao": ("淘宝直播（浏览器插件）", "Taobao Live (browser bridge)"),
    "connect.p.kuaishou": ("快手（浏览器插件）", "Kuaishou (browser bridge)"),
    "connect.p.wechat": ("视频号（浏览器插件）", "WeChat Channels (browser bridge)"),
    "connect.t.room": ("直播间号", "Room id"),
    "connect.t.channel": ("频道名", "Channel"),
    "connect.t.video": ("视频 ID 或网址", "Video id or URL"),
    "connect.t.user": ("主播账号（@用户名）", "Host account (@user)"),
    "connect.login": ("登录 Cookie（可选）", "Login cookie (optional)"),
    "connect.login_tip": ("保存在系统钥匙串，不写入设置文件", "kept in the OS keyring, never in a settings file"),
    "connect.need": ("请填写：{what}", "Please fill in: {what}"),
    "connect.h.bilibili": ("不登录也能读弹幕；匿名连接几分钟后观众名会被隐藏。",
                           "Works without a login; anonymous connections see masked names after a few minutes."),
    "connect.h.twitch": ("匿名只读聊天。", "Anonymous read-only chat."),
    "connect.h.youtube": ("直播中的视频；聊天结束后自动重连。", "A video that is live now; the chat is recreated when it stops."),
    "connect.h.tiktok": ("需要主播正在直播。", "The host must be live."),
    "connect.bridge_hint": ("这些平台通过浏览器插件接入：在 Chrome/Edge 中加载 packaging/browser-bridge，"
                            "打开直播间页面，把下面的地址和口令填进插件的选项页。",
                            "These platforms come in through the browser bridge: load packaging/browser-bridge "
                            "in Chrome/Edge, open the live room page, and paste the address and token below "
                            "into the extension's options page."),
    "connect.bridge_ready": ("本地接入已开启：{url}\n口令：{token}", "Local ingest is on: {url}\nToken: {token}"),
    "connect.bridge_temp": ("（没有系统钥匙串：口令只在本次有效）", "(no OS keyring: the token lasts for this session only)"),
    "connect.failed": ("无法连接：{message}", "Cannot connect: {message}"),
    "status.source.viewers": ("{n} 人在线", "{n} watching"),
    "status.source.popularity": ("人气 {n}", "popularity {n}"),
    "status.source.grabbers": ("{n} 个插件连接", "{n} grabber(s)"),
    "status.mic": ("语音识别：{s}", "Speech recognition: {s}"),
    "status.mic.off": ("未启用", "off"),
    "status.mic.listening": ("正在听", "listening"),
    "status.mic.no_device": ("没有麦克风", "no microphone"),
    "status.mic.lost": ("麦克风断开", "microphone lost"),
    "status.mic.gated": ("主播说话中暂停", "paused while the host speaks"),
    "status.mic.stopped": ("已停止", "stopped"),
    "status.mic.no_model": ("缺少识别模型", "no recognition model"),
    "status.speech": ("说话：{s}", "Speech: {s}"),
    "status.speech.idle": ("空闲", "idle"),
    "status.speech.speaking": ("正在说", "speaking"),
    "status.speech.queued": ("排队 {n}", "{n} queued"),
    "status.speech.muted": ("已静音", "muted"),
    "status.speech.preview": ("无音频设备 - 仅预览", "no audio device - preview only"),
    "status.latency": ("回复延迟 {ms} 毫秒", "reply latency {ms} ms"),
    "status.latency.none": ("回复延迟 —", "reply latency —"),
    "status.errors": ("错误 {n} 条", "errors: {n}"),
    "status.no_errors": ("无错误", "no errors"),
    "status.what_to_do": ("处理方法：", "What to do: "),
    "errors.title": ("错误与提示", "Errors and hints"),
    # settings dialog
    "set.title": ("设置", "Settings"),
    "set.tab.general": ("常规", "General"),
    "set.tab.understanding": ("理解", "Understanding"),
    "set.tab.replies": ("回复", "Replies"),
    "set.tab.speech": ("声音", "Speech"),
    "set.tab.avatar": ("虚拟主播", "Avatar"),
    "set.tab.llm": ("大模型", "Language model"),
    "set.rotation_generated": ("没有话术的商品用自动生成的介绍", "Products without a script: speak a generated introduction"),
    "set.llm.enabled": ("使用大模型", "Use a language model"),
    "set.llm.base_url": ("接口地址（OpenAI 兼容）", "Endpoint (OpenAI-compatible)"),
    "set.llm.model": ("模型名（空=服务器默认）", "Model (empty = the server's)"),
    "set.llm.key_in_keyring": ("发送系统钥匙串里的 API 密钥", "Send the API key kept in the OS keyring"),
    "set.llm.api_key": ("API 密钥（存入系统钥匙串）", "API key (kept in the OS keyring)"),
    "set.llm.key_placeholder": ("留空=不修改；本地模型不需要", "leave empty to keep; local servers need none"),
    "set.llm.stream": ("流式接收", "Stream the answer"),
    "set.llm.timeout": ("写介绍最长等待（秒）", "Longest wait for a draft (s)"),
    "set.llm.reply_timeout": ("回复最长等待（秒，迟到作废）", "Longest wait for a reply (s; late = dropped)"),
    "set.llm.write_intros": ("让大模型写介绍草稿", "Let it write introduction drafts"),
    "set.llm.style": ("介绍风格（如：亲切活泼）", "Style of introductions (e.g. warm, lively)"),
    "set.llm.rephrase": ("让大模型改写待播回复（数字不变）", "Let it reword replies about to be spoken (same numbers)"),
    "set.llm.chitchat": ("让大模型回应闲聊", "Let it answer small talk"),
    "set.llm.test": ("测试连接", "Test connection"),
    "set.llm.testing": ("正在连接…", "Connecting…"),
    "set.llm.note": ("大模型写的每一句都要先过事实核对、违禁词检查和不当言论过滤，不通过的句子不会说出口。",
                     "Every sentence the model writes passes the fact guard, the banned-word check and the "
                     "offensive-language filter first; a sentence that fails is never spoken."),
    "set.ui_language": ("界面语言", "UI language"),
    "set.ui_language.system": ("跟随系统", "follow the system"),
    "set.theme": ("主题", "Theme"),
    "set.theme.light": ("浅色", "light"),
    "set.theme.dark": ("深色", "dark"),
    "set.language": ("默认回复语言", "Default reply language"),
    "set.platform": ("平台", "Platform"),
    "set.data_dir": ("数据目录", "Data folder"),
    "set.model_dir": ("意图模型目录（空=内置）", "Intent model folder (empty = shipped)"),
    "set.threshold": ("不确定阈值（空=模型自带）", "Uncertain threshold (empty = the model's)"),
    "set.usd_to_cny": ("美元汇率", "USD to CNY rate"),
    "set.threads": ("CPU 线程数", "CPU threads"),
    "set.auto_approve": ("自动采纳的类型", "Kinds approved automatically"),
    "set.delay": ("自动采纳倒计时（秒）", "Auto-approve countdown (s)"),
    "set.rotation": ("冷场轮播间隔（秒，0=关闭）", "Idle rotation interval (s, 0 = off)"),
    "set.merge_window": ("相同问题合并窗口（秒）", "Merge identical questions within (s)"),
    "set.repeat_window": ("同一问题不重复回答（秒）", "Do not answer the same question again within (s)"),
    "set.look": ("形象", "Look"),
    "set.background": ("背景（颜色或图片）", "Background (colour or image)"),
    "set.aspect": ("画面比例", "Aspect"),
    "set.aspect.free": ("自由", "free"),
    "set.subtitles": ("显示字幕", "Show subtitles"),
    "set.badge": ("显示 AI 标识", "Show the AI badge"),
    "set.browse": ("浏览…", "Browse…"),
    "set.saved": ("设置已保存到 {path}", "Settings saved to {path}"),
    "set.restart": ("部分设置在下次开播时生效", "Some settings apply from the next start"),
    "set.invalid": ("有无效的值，请按提示修改", "Some values are invalid; see the messages"),
    "dlg.ok": ("确定", "OK"),
    "dlg.cancel": ("取消", "Cancel"),
    # kinds (intents and event kinds)
    "kind.greeting": ("打招呼", "greeting"),
    "kind.price": ("价格", "price"),
    "kind.discount": ("优惠", "discount"),
    "kind.size_fit": ("尺码", "size"),
    "kind.product_detail": ("商品详情", "details"),
    "kind.stock": ("库存", "stock"),
    "kind.shipping": ("发货", "shipping"),
    "kind.after_sales": ("售后", "after-sales"),
    "kind.purchase_intent": ("想买", "purchase"),
    "kind.recommendation_request": ("求推荐", "recommend"),
    "kind.compliment": ("夸奖", "compliment"),
    "kind.complaint": ("投诉", "complaint"),
    "kind.spam": ("广告", "spam"),
    "kind.chitchat": ("闲聊", "chitchat"),
    "kind.gift": ("礼物", "gift"),
    "kind.follow": ("关注", "follow"),
    "kind.enter": ("进入", "enter"),
    "kind.like": ("点赞", "like"),
    "kind.share": ("分享", "share"),
    "kind.subscribe": ("会员", "subscribe"),
    "kind.raid": ("来访", "raid"),
    "kind.host_speech": ("主播", "host"),
    "kind.comment": ("弹幕", "comment"),
    "kind.introduce": ("介绍", "introduce"),
    "kind.say": ("主播输入", "typed"),
    "kind.pending": ("…", "…"),
    "kind.offensive": ("不文明", "offensive"),
    "kind.flood": ("刷屏", "flood"),
    # shortcuts help
    "help.shortcuts": (
        "建议回复：Enter 采纳，Esc 忽略，E 修改，空格 立即说，↑/↓ 选择\n"
        "紧急静音：{mute}（应用内全局）\n商品：F7 上一个，F8 下一个，F9 介绍讲解中商品，Ctrl+1…9 切换到该链接号\n"
        "说话框：Ctrl+L 聚焦，Enter 接着说，Ctrl+Enter 立即说",
        "Suggested replies: Enter approve, Esc reject, E edit, Space speak now, Up/Down select\n"
        "Panic mute: {mute} (anywhere in the app)\nProducts: F7 previous, F8 next, F9 introduce the now-selling "
        "product, Ctrl+1…9 go to that listing number\nSay box: Ctrl+L focus, Enter say next, Ctrl+Enter say now"),
}


def system_language() -> str:
    """``zh`` when the system locale is Chinese, else ``en``."""
    return "zh" if QLocale.system().language() == QLocale.Language.Chinese else "en"


class Translator(QObject):
    """The current UI language and the lookup. ``changed(lang)`` fires on a switch."""

    changed = Signal(str)

    def __init__(self, lang: str | None = None) -> None:
        super().__init__()
        self._lang = lang if lang in LANGUAGES else "zh"

    @property
    def lang(self) -> str:
        return self._lang

    def set_language(self, lang: str) -> None:
        """Switch the UI language (``zh`` / ``en``); ValueError for others."""
        if lang not in LANGUAGES:
            raise ValueError(f"UI language must be one of {LANGUAGES}, got {lang!r}")
        if lang != self._lang:
            self._lang = lang
            self.changed.emit(lang)

    def tr(self, key: str, **fmt) -> str:
        """The string for ``key`` in the current language, formatted with ``fmt``; an unknown
        key is returned as is (so a missing entry shows, rather than crashing)."""
        pair = STRINGS.get(key)
        if pair is None:
            return key
        text = pair[0] if self._lang == "zh" else pair[1]
        return text.format(**fmt) if fmt else text


i18n = Translator()
"""The application's translator (created on import; the language is set by the console)."""


def tr(key: str, **fmt) -> str:
    """Shortcut for ``i18n.tr``."""
    return i18n.tr(key, **fmt)


def kind_label(kind: str) -> str:
    """The UI label of an intent or event kind (``price`` -> 价格 / price)."""
    return i18n.tr(f"kind.{kind}") if f"kind.{kind}" in STRINGS else kind


def held_label(reason: str) -> str:
    """A held reason in words: ``fact_guard: price 49 not in catalog`` -> 事实核对未通过 (price ...)."""
    parts = []
    for piece in (p.strip() for p in reason.split(";") if p.strip()):
        head, _, detail = piece.partition(":")
        key = f"held.{head.strip()}"
        label = i18n.tr(key) if key in STRINGS else head.strip()
        parts.append(f"{label}（{detail.strip()}）" if detail.strip() and i18n.lang == "zh"
                     else f"{label} ({detail.strip()})" if detail.strip() else label)
    return "；".join(parts) if i18n.lang == "zh" else "; ".join(parts)
