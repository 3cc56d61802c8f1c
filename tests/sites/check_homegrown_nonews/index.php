<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">
<title>Верховный Хурал (парламент) Республики Тыва (тест)</title>
<link rel="stylesheet" href="/css/main.css">
</head>
<body bgcolor="#ffffff">
<table width="100%" cellpadding="0" cellspacing="0" class="top">
<tr><td><img src="/img/gerb.gif" alt="Герб"></td><td class="caption">Верховный Хурал (парламент) Республики Тыва</td></tr>
</table>
<table width="100%"><tr><td class="menu" width="200" valign="top">
<a href="/index.php">Главная</a><br>
<a href="/about.php">О парламенте</a><br>
<a href="/deputies.php">Депутаты</a><br>
<a href="/laws.php">Законы</a><br>
<a href="/contacts.php">Контакты</a><br>
</td><td valign="top" class="main">
<h1>Добро пожаловать!</h1>
<p>Официальный сайт Верховного Хурала (парламента) Республики Тыва.</p>
<h2>Лента событий</h2>
<div id="lenta">Загрузка...</div>
<script type="text/javascript" src="/js/lenta.js"></script>
<noscript>Для просмотра ленты событий включите JavaScript.</noscript>
</td></tr></table>
<div class="bottom">© Верховный Хурал (парламент) Республики Тыва, 2003–2026</div>
</body>
</html>
