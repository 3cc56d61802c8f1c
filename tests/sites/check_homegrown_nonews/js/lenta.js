document.getElementById('lenta').innerHTML = '';
fetch('/ajax/lenta.php?from=0&count=10').then(function (r) { return r.json(); }).then(show);
